import { z } from "zod";
import type { ErrorDetail } from "../errors";
import { ruleMetrics, sensitivities, severities, thresholdOperators } from "./constants";

const eventTypeScope = z
  .string()
  .trim()
  .regex(/^(\*|[a-z0-9_.-]{1,64})$/, "must be * (all types) or one event type (a-z, 0-9, _ . -)");
const regionScope = z
  .string()
  .trim()
  .regex(/^(\*|[A-Za-z0-9_.:-]{1,64})$/, "must be * (all regions) or one region (letters, digits, _ . : -)");

export const anomalyConditionSchema = z.strictObject({
  type: z.literal("anomaly"),
  sensitivity: z.enum(sensitivities),
});
export const thresholdConditionSchema = z.strictObject({
  type: z.literal("threshold"),
  operator: z.enum(thresholdOperators),
  value: z.number().finite(),
});
export const noDataConditionSchema = z.strictObject({
  type: z.literal("no_data"),
  windows: z.number().int().min(1).max(288),
});
export const conditionSchema = z.discriminatedUnion("type", [
  anomalyConditionSchema,
  thresholdConditionSchema,
  noDataConditionSchema,
]);
export type RuleCondition = z.infer<typeof conditionSchema>;

const webhookUrl = z
  .string()
  .trim()
  .min(1, "is required")
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:";
    } catch {
      return false;
    }
  }, "must be an http:// or https:// URL");

export const webhookInputSchema = z.strictObject({
  url: webhookUrl,
  /** Omitted on update: keep the stored secret. null: remove it. */
  secret: z.string().min(8, "must be at least 8 characters").max(256).nullable().optional(),
});

export const channelsInputSchema = z
  .strictObject({
    in_app: z.boolean().default(true),
    webhook: webhookInputSchema.nullable().default(null),
  })
  .refine((channels) => channels.in_app || channels.webhook !== null, {
    message: "choose at least one channel (in-app or webhook)",
  });

const mutedUntil = z.iso
  .datetime({ offset: true, message: "must be an ISO 8601 date-time" })
  .transform((value) => new Date(value))
  .nullable();

/** A rule as the API accepts it on create (and, merged with the stored rule, on update). */
export const ruleInputSchema = z.strictObject({
  name: z.string().trim().min(1, "is required").max(120),
  event_type: eventTypeScope.default("*"),
  region: regionScope.default("*"),
  metric: z.enum(ruleMetrics).default("count"),
  window_seconds: z.number().int().positive().max(86_400).default(300),
  condition: conditionSchema,
  for_windows: z.number().int().min(1).max(288).default(1),
  severity: z.enum(severities).default("medium"),
  channels: channelsInputSchema,
  muted_until: mutedUntil.default(null),
  enabled: z.boolean().default(true),
});
export type RuleInput = z.infer<typeof ruleInputSchema>;

/** PATCH body: any subset of the fields; validated again as a whole after merging. */
export const rulePatchSchema = z.strictObject({
  name: z.unknown().optional(),
  event_type: z.unknown().optional(),
  region: z.unknown().optional(),
  metric: z.unknown().optional(),
  window_seconds: z.unknown().optional(),
  condition: z.unknown().optional(),
  for_windows: z.unknown().optional(),
  severity: z.unknown().optional(),
  channels: z.unknown().optional(),
  muted_until: z.unknown().optional(),
  enabled: z.unknown().optional(),
});
export type RulePatch = z.infer<typeof rulePatchSchema>;

/** zod issues as the API's field-level error details. */
export function toErrorDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
  }));
}
