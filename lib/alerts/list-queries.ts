import { z } from "zod";
import { deliveryStatuses, incidentStatuses, ruleMetrics } from "./constants";

/** Query parameters of GET /api/alerts/incidents. */
export const incidentsQuery = z.strictObject({
  rule_id: z.uuid().optional(),
  status: z.enum([...incidentStatuses, "unresolved"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(512).optional(),
});
export type IncidentsQuery = z.infer<typeof incidentsQuery>;

/** Query parameters of GET /api/alerts/deliveries. */
export const deliveriesQuery = z.strictObject({
  rule_id: z.uuid().optional(),
  status: z.enum(deliveryStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(512).optional(),
});
export type DeliveriesQuery = z.infer<typeof deliveriesQuery>;

/** Query parameters of GET /api/anomalies (newest first, keyset pagination by id). */
export const anomaliesQuery = z.strictObject({
  status: z.enum(["open", "acknowledged", "resolved"]).optional(),
  event_type: z.string().max(64).optional(),
  /** Short alias of event_type. */
  type: z.string().max(64).optional(),
  region: z.string().max(64).optional(),
  metric: z.enum(ruleMetrics).optional(),
  severity: z.enum(["low", "medium", "high", "critical"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(512).optional(),
  /** Include each anomaly's recent points (for small charts in the list). */
  with_points: z
    .enum(["true", "false", "1", "0"])
    .transform((value) => value === "true" || value === "1")
    .default(false),
});
export type AnomaliesQuery = z.infer<typeof anomaliesQuery>;

/** PATCH /api/anomalies/:id */
export const anomalyPatchSchema = z.strictObject({
  status: z.enum(["open", "acknowledged", "resolved"]),
});

export const uuidParam = z.uuid({ message: "must be a UUID" });
export const numericIdParam = z.coerce.number().int().positive();
