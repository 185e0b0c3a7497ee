import "server-only";
import { decodeIdCursor, encodeIdCursor, keysetPage } from "@/lib/http/cursor";
import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import { isRuleMetric } from "@/lib/alerts/constants";
import { toAnomalyDto, type AnomalyDetailDto, type AnomalyDto } from "@/lib/alerts/dto";
import type { AnomaliesQuery } from "@/lib/alerts/list-queries";
import { metricValue, type SeriesPoint } from "@/lib/domain/alerts/series";
import { getDb } from "../client";
import { anomalies } from "../schema";
import { listAggregations } from "./aggregations";

/** Points per anomaly in list answers (small charts). */
const LIST_POINTS = 36;
/** Windows after the anomaly shown on its chart. */
const POINTS_AFTER = 12;

/** Anomalies, newest first, filtered; `next_cursor` continues the list (null on the last page). */
export async function listAnomalies(
  projectId: string,
  query: AnomaliesQuery,
): Promise<{ data: AnomalyDto[]; next_cursor: string | null }> {
  const filters: SQL[] = [eq(anomalies.projectId, projectId)];
  const eventType = query.event_type ?? query.type;
  if (query.status) filters.push(eq(anomalies.status, query.status));
  if (eventType) filters.push(eq(anomalies.eventType, eventType));
  if (query.region) filters.push(eq(anomalies.region, query.region));
  if (query.metric) filters.push(eq(anomalies.metric, query.metric));
  if (query.severity) filters.push(eq(anomalies.severity, query.severity));
  if (query.cursor) filters.push(lt(anomalies.id, decodeIdCursor(query.cursor)));
  const rows = await getDb()
    .select()
    .from(anomalies)
    .where(and(...filters))
    .orderBy(desc(anomalies.id))
    .limit(query.limit + 1);
  const { page, nextCursor } = keysetPage(rows, query.limit, (last) => encodeIdCursor(last.id));
  return {
    data: page.map((row) =>
      query.with_points
        ? { ...toAnomalyDto(row), points: row.context.slice(-LIST_POINTS) }
        : toAnomalyDto(row),
    ),
    next_cursor: nextCursor,
  };
}

/**
 * One anomaly and its series around it: the points the detector saw up to the anomaly (with the
 * expected band, stored with the anomaly) and the windows stored after it (observed only).
 */
export async function getAnomalyDetail(projectId: string, id: number): Promise<AnomalyDetailDto | undefined> {
  const [row] = await getDb()
    .select()
    .from(anomalies)
    .where(and(eq(anomalies.id, id), eq(anomalies.projectId, projectId)));
  if (!row) return undefined;
  const anomaly = toAnomalyDto(row);
  const stepMs = row.windowSeconds * 1000;
  const before: SeriesPoint[] = row.context.length > 0 ? row.context : [pointOf(anomaly)];
  const after = await listAggregations(projectId, {
    event_type: row.eventType,
    region: row.region,
    window: row.windowSeconds,
    from: new Date(row.windowStart.getTime() + stepMs),
    to: new Date(row.windowStart.getTime() + (POINTS_AFTER + 1) * stepMs),
    limit: POINTS_AFTER,
  });
  const metric = anomaly.metric;
  const afterPoints: SeriesPoint[] = isRuleMetric(metric)
    ? after.flatMap((window) => {
        const observed = metricValue(window, metric);
        if (observed === null) return [];
        const point: SeriesPoint = {
          window_start: window.window_start,
          observed,
          expected: null,
          lower: null,
          upper: null,
          score: null,
        };
        return [point];
      })
    : [];
  return { anomaly, points: [...before, ...afterPoints] };
}

function pointOf(anomaly: AnomalyDto): SeriesPoint {
  return {
    window_start: anomaly.window_start,
    observed: anomaly.observed,
    expected: anomaly.expected,
    lower: anomaly.lower,
    upper: anomaly.upper,
    score: anomaly.score,
  };
}
