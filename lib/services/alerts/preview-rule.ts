import "server-only";
import { listAggregations } from "@/db/queries/aggregations";
import type { PreviewDto } from "@/lib/alerts/dto";
import { replayRule, type ReplayRule } from "@/lib/domain/alerts/replay";
import { getEnv } from "@/lib/env";

const DAY_MS = 86_400_000;
/** History replayed before the shown 24 hours, so the detector is warm when they start. */
const WARMUP_DAYS = 6;

/** When the rule would have fired over the last 24 hours of stored windows of its series. */
export async function previewRule(
  rule: ReplayRule & { projectId: string; eventType: string; region: string },
  now = Date.now(),
): Promise<PreviewDto> {
  const stepMs = rule.windowSeconds * 1000;
  const fromMs = now - DAY_MS;
  const windows = await listAggregations(rule.projectId, {
    event_type: rule.eventType,
    region: rule.region,
    window: rule.windowSeconds,
    from: new Date(Math.max(fromMs - WARMUP_DAYS * DAY_MS, now - 10_000 * stepMs)),
    to: new Date(now),
    limit: 10_000,
  });
  return replayRule(rule, windows, { fromMs, toMs: now, latenessMs: getEnv().ALLOWED_LATENESS_MS + 60_000 });
}
