import { AppError, zodErrorDetails, type ErrorDetail } from "../errors";
import { ruleDefinition, type RuleRow } from "./dto";
import { isMaskOf } from "./mask-url";
import { ruleInputSchema, type RuleInput, type RulePatch } from "./rule-schema";
import { checkWebhookUrl, type ResolveHost } from "./webhook-url";

export interface RuleValidationOptions {
  allowPrivateWebhooks: boolean;
  windowSizes: readonly number[];
  resolve?: ResolveHost;
}

/**
 * A rule body as the API received it → a valid rule, or AppError("validation_failed") naming each
 * wrong field: the schema first, then what needs configuration or DNS (checkRuleInput).
 */
export async function validateRuleInput(body: unknown, options: RuleValidationOptions): Promise<RuleInput> {
  const parsed = ruleInputSchema.safeParse(body);
  if (!parsed.success) throw invalid(zodErrorDetails(parsed.error, "(body)"));
  return checkRuleInput(parsed.data, options);
}

/**
 * A rule that passed the schema → the same rule, or AppError("validation_failed") when its window
 * size is not configured or its webhook's host may not be called.
 */
export async function checkRuleInput(rule: RuleInput, options: RuleValidationOptions): Promise<RuleInput> {
  const details: ErrorDetail[] = [];
  if (!options.windowSizes.includes(rule.window_seconds)) {
    details.push({
      path: "window_seconds",
      message: `must be one of the configured window sizes: ${options.windowSizes.join(", ")}`,
    });
  }
  if (rule.channels.webhook !== null) {
    const problem = await checkWebhookUrl(rule.channels.webhook.url, {
      allowPrivate: options.allowPrivateWebhooks,
      resolve: options.resolve,
    });
    if (problem !== undefined) details.push({ path: "channels.webhook.url", message: problem });
  }
  if (details.length > 0) throw invalid(details);
  return rule;
}

function invalid(details: ErrorDetail[]): AppError {
  return new AppError("validation_failed", "The alert rule is invalid", { details });
}

/** A stored rule in the API's input shape (without its secret), the base a PATCH is merged onto. */
export function ruleToInput(rule: RuleRow): Record<string, unknown> {
  return {
    ...ruleDefinition(rule),
    channels: {
      in_app: rule.inApp,
      webhook: rule.webhookUrl === null ? null : { url: rule.webhookUrl },
    },
    muted_until: rule.mutedUntil?.toISOString() ?? null,
    enabled: rule.enabled,
  };
}

/**
 * A PATCH merged onto the stored rule, field by field (a field given replaces the stored one). A
 * webhook given without its URL, or with the masked URL the API showed, keeps the stored URL.
 */
export function mergeRulePatch(rule: RuleRow, patch: RulePatch): Record<string, unknown> {
  const given = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  const webhook = patch.channels?.webhook;
  if (patch.channels && webhook) {
    const keep =
      webhook.url === undefined || (rule.webhookUrl !== null && isMaskOf(webhook.url, rule.webhookUrl));
    // without a stored URL to keep, the merged rule fails validation at channels.webhook.url
    const url = keep ? (rule.webhookUrl ?? undefined) : webhook.url;
    given.channels = { ...patch.channels, webhook: { ...webhook, url } };
  }
  return { ...ruleToInput(rule), ...given };
}

/** Whether an update changes what the rule watches or when it fires (its incident state restarts). */
export function changesEvaluation(before: RuleRow, after: RuleInput): boolean {
  return (
    before.eventType !== after.event_type ||
    before.region !== after.region ||
    before.metric !== after.metric ||
    before.windowSeconds !== after.window_seconds ||
    before.forWindows !== after.for_windows ||
    canonical(before.condition) !== canonical(after.condition) ||
    (before.enabled && !after.enabled)
  );
}

/** JSON with sorted keys: jsonb does not keep the key order it was given. */
function canonical(value: object): string {
  return JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b))));
}
