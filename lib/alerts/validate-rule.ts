import { AppError, type ErrorDetail } from "../errors";
import { ruleDefinition, type RuleRow } from "./dto";
import { ruleInputSchema, toErrorDetails, type RuleInput } from "./rule-schema";
import { checkWebhookUrl, type ResolveHost } from "./webhook-url";

export interface RuleValidationOptions {
  allowPrivateWebhooks: boolean;
  windowSizes: readonly number[];
  resolve?: ResolveHost;
}

/**
 * A rule body as the API received it → a valid rule, or AppError("validation_failed") naming each
 * wrong field: the schema first, then what needs configuration or DNS (window size, webhook host).
 */
export async function validateRuleInput(body: unknown, options: RuleValidationOptions): Promise<RuleInput> {
  const parsed = ruleInputSchema.safeParse(body);
  if (!parsed.success) throw invalid(toErrorDetails(parsed.error));
  const rule = parsed.data;
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

/** The secret to store: a given one, none when the webhook or its secret was removed, else the old one. */
export function nextWebhookSecret(input: RuleInput, previous: string | null): string | null {
  const webhook = input.channels.webhook;
  if (webhook === null) return null;
  if (webhook.secret === undefined) return previous;
  return webhook.secret;
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
