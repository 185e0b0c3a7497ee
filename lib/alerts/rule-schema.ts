import { z } from "zod";
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

/**
 * A PATCH's webhook: without `url` (or with the masked URL the API showed) the stored URL is kept,
 * so a client edits a rule without knowing its full URL (mergeRulePatch fills it in).
 */
export const webhookPatchSchema = webhookInputSchema.extend({ url: webhookUrl.optional() });

const channelsPatchSchema = z.strictObject({
  in_app: z.boolean().default(true),
  webhook: webhookPatchSchema.nullable().default(null),
});

const mutedUntilText = z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time" }).nullable();

/** A rule's fields as a client writes them, without defaults (a PATCH sends any subset). */
const ruleFields = {
  name: z.string().trim().min(1, "is required").max(120),
  event_type: eventTypeScope,
  region: regionScope,
  metric: z.enum(ruleMetrics),
  window_seconds: z.number().int().positive().max(86_400),
  condition: conditionSchema,
  for_windows: z.number().int().min(1).max(288),
  severity: z.enum(severities),
  channels: channelsInputSchema,
  muted_until: mutedUntilText,
  enabled: z.boolean(),
};

/** A rule as the API accepts it on create (and, merged with the stored rule, on update). */
export const ruleInputSchema = z.strictObject({
  ...ruleFields,
  event_type: ruleFields.event_type.default("*"),
  region: ruleFields.region.default("*"),
  metric: ruleFields.metric.default("count"),
  window_seconds: ruleFields.window_seconds.default(300),
  for_windows: ruleFields.for_windows.default(1),
  severity: ruleFields.severity.default("medium"),
  muted_until: mutedUntilText.transform((value) => (value === null ? null : new Date(value))).default(null),
  enabled: ruleFields.enabled.default(true),
});
export type RuleInput = z.infer<typeof ruleInputSchema>;

/**
 * PATCH body: any subset of the fields, each checked on its own (no defaults, times kept as
 * text); the rule merged from it is validated again as a whole.
 */
export const rulePatchSchema = z.strictObject({ ...ruleFields, channels: channelsPatchSchema }).partial();
export type RulePatch = z.infer<typeof rulePatchSchema>;
