import { z } from "zod";
import { anomaliesQuery, anomalyPatchSchema, numericIdParam } from "../../alerts/list-queries";
import { ruleMetrics, severities } from "../../alerts/constants";
import type { AnomalyDetailDto, AnomalyDto } from "../../alerts/dto";
import type { SeriesPoint } from "../../domain/alerts/series";
import { defineContract } from "../contract";
import { idParams, isoTime, page, type Assert, type Same } from "./shapes";

/** Contracts of detected anomalies (docs/anomaly-detection.md). */

export const seriesPoint = z.object({
  window_start: isoTime,
  observed: z.number(),
  expected: z.number().nullable(),
  lower: z.number().nullable(),
  upper: z.number().nullable(),
  score: z.number().nullable(),
});
type _SeriesPoint = Assert<Same<z.output<typeof seriesPoint>, SeriesPoint>>;

const anomaly = z.object({
  id: z.number().int(),
  event_type: z.string(),
  region: z.string(),
  metric: z.string().meta({ description: `one of ${ruleMetrics.join(", ")}` }),
  window_start: isoTime,
  window_seconds: z.number().int(),
  observed: z.number(),
  expected: z.number(),
  lower: z.number(),
  upper: z.number(),
  score: z.number(),
  confidence: z.number().meta({ description: "0-1: how far the series was past its warm-up when scored" }),
  warming_up: z
    .boolean()
    .meta({ description: "the series was still warming up: a wider band, a less sure score" }),
  direction: z.enum(["spike", "drop"]),
  severity: z.enum(severities),
  status: z.enum(["open", "acknowledged", "resolved"]),
  created_at: isoTime,
  acknowledged_at: isoTime.nullable(),
  resolved_at: isoTime.nullable(),
  points: z
    .array(seriesPoint)
    .optional()
    .meta({ description: "the series up to this window (in a list: only with with_points)" }),
});
type _Anomaly = Assert<Same<z.output<typeof anomaly>, AnomalyDto>>;

const anomalyDetail = z.object({
  anomaly,
  points: z.array(seriesPoint).meta({
    description: "the series around the anomaly, oldest first; points after it carry no expected band",
  }),
});
type _AnomalyDetail = Assert<Same<z.output<typeof anomalyDetail>, AnomalyDetailDto>>;

/** Response schemas the OpenAPI document names (components) instead of repeating them. */
export const anomalySchemas = { Anomaly: anomaly, SeriesPoint: seriesPoint };

const anomalyParams = idParams(numericIdParam);

export const listAnomalies = defineContract({
  name: "anomalies.list",
  access: "viewer",
  method: "GET",
  path: "/api/anomalies",
  summary: "Anomalies, newest first",
  description: "Filters: status, event_type (or its alias type), region, metric, severity.",
  query: anomaliesQuery,
  response: { status: 200, description: "A page of anomalies", schema: page(anomaly) },
});

export const getAnomaly = defineContract({
  name: "anomalies.get",
  access: "viewer",
  method: "GET",
  path: "/api/anomalies/{id}",
  summary: "An anomaly and the series around it (observed, expected band), for a chart",
  params: anomalyParams,
  resource: "anomaly",
  response: { status: 200, description: "The anomaly and its series", schema: anomalyDetail },
  errors: ["not_found"],
});

export const updateAnomaly = defineContract({
  name: "anomalies.update",
  access: "member",
  method: "PATCH",
  path: "/api/anomalies/{id}",
  summary: "Acknowledge, resolve or reopen an anomaly",
  params: anomalyParams,
  resource: "anomaly",
  body: anomalyPatchSchema,
  response: {
    status: 200,
    description: "The anomaly",
    schema: z.object({ anomaly: anomaly.omit({ points: true }) }),
  },
  errors: ["not_found"],
});
