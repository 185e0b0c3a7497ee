/**
 * The rule form's values, their conversion to the API body, and the API's field errors mapped
 * back onto the form's fields. Pure: the form component and its tests share it.
 */
import type {
  ConditionType,
  RuleMetric,
  Sensitivity,
  Severity,
  ThresholdOperator,
} from "@/lib/alerts/constants";
import type { RuleDto } from "@/lib/alerts/dto";

export interface RuleFormValues {
  name: string;
  eventType: string;
  region: string;
  metric: RuleMetric;
  windowSeconds: string;
  conditionType: ConditionType;
  sensitivity: Sensitivity;
  operator: ThresholdOperator;
  value: string;
  noDataWindows: string;
  forWindows: string;
  severity: Severity;
  inApp: boolean;
  webhookUrl: string;
  webhookSecret: string;
  /** Editing a rule that has a secret: remove it instead of keeping it. */
  removeSecret: boolean;
  /** `<input type="datetime-local">` value in the viewer's zone, or "". */
  mutedUntil: string;
  enabled: boolean;
}

export type RuleFormField = keyof RuleFormValues | "channels" | "form";

export function emptyRuleForm(windowSizes: readonly number[]): RuleFormValues {
  return {
    name: "",
    eventType: "*",
    region: "*",
    metric: "count",
    windowSeconds: String(windowSizes[0] ?? 300),
    conditionType: "anomaly",
    sensitivity: "medium",
    operator: "above",
    value: "",
    noDataWindows: "3",
    forWindows: "1",
    severity: "medium",
    inApp: true,
    webhookUrl: "",
    webhookSecret: "",
    removeSecret: false,
    mutedUntil: "",
    enabled: true,
  };
}

/** A datetime-local value (viewer's zone) for an ISO time. */
export function toLocalInput(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function formFromRule(rule: RuleDto): RuleFormValues {
  const condition = rule.condition;
  return {
    name: rule.name,
    eventType: rule.event_type,
    region: rule.region,
    metric: rule.metric,
    windowSeconds: String(rule.window_seconds),
    conditionType: condition.type,
    sensitivity: condition.type === "anomaly" ? condition.sensitivity : "medium",
    operator: condition.type === "threshold" ? condition.operator : "above",
    value: condition.type === "threshold" ? String(condition.value) : "",
    noDataWindows: condition.type === "no_data" ? String(condition.windows) : "3",
    forWindows: String(rule.for_windows),
    severity: rule.severity,
    inApp: rule.channels.in_app,
    webhookUrl: rule.channels.webhook?.url ?? "",
    webhookSecret: "",
    removeSecret: false,
    mutedUntil: rule.muted_until ? toLocalInput(rule.muted_until) : "",
    enabled: rule.enabled,
  };
}

/** A number when the text is one; else the text itself, so the API names the field. */
function numberOrText(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : trimmed;
}

/**
 * The JSON body of POST /api/alerts/rules (or PATCH, which takes the same full shape). With
 * `editing`, a webhook URL left as the API showed it (masked) is left out: the server keeps the
 * stored one, which the browser never sees.
 */
export function toRuleBody(values: RuleFormValues, editing?: RuleDto): Record<string, unknown> {
  const condition =
    values.conditionType === "anomaly"
      ? { type: "anomaly", sensitivity: values.sensitivity }
      : values.conditionType === "threshold"
        ? { type: "threshold", operator: values.operator, value: numberOrText(values.value) }
        : { type: "no_data", windows: numberOrText(values.noDataWindows) };
  const url = values.webhookUrl.trim();
  const secret = values.webhookSecret;
  const keepUrl = editing?.channels.webhook != null && url === editing.channels.webhook.url;
  const webhook =
    url === ""
      ? null
      : {
          ...(keepUrl ? {} : { url }),
          ...(values.removeSecret ? { secret: null } : secret !== "" ? { secret } : {}),
        };
  let mutedUntil: string | null = null;
  if (values.mutedUntil !== "") {
    const date = new Date(values.mutedUntil);
    mutedUntil = Number.isNaN(date.getTime()) ? values.mutedUntil : date.toISOString();
  }
  return {
    name: values.name,
    event_type: values.eventType.trim() || "*",
    region: values.region.trim() || "*",
    metric: values.metric,
    window_seconds: numberOrText(values.windowSeconds),
    condition,
    for_windows: values.conditionType === "no_data" ? 1 : numberOrText(values.forWindows),
    severity: values.severity,
    channels: { in_app: values.inApp, webhook },
    muted_until: mutedUntil,
    enabled: values.enabled,
  };
}

const FIELD_OF_PATH: Record<string, RuleFormField> = {
  name: "name",
  event_type: "eventType",
  region: "region",
  metric: "metric",
  window_seconds: "windowSeconds",
  condition: "conditionType",
  "condition.type": "conditionType",
  "condition.sensitivity": "sensitivity",
  "condition.operator": "operator",
  "condition.value": "value",
  "condition.windows": "noDataWindows",
  for_windows: "forWindows",
  severity: "severity",
  channels: "channels",
  "channels.in_app": "inApp",
  "channels.webhook": "webhookUrl",
  "channels.webhook.url": "webhookUrl",
  "channels.webhook.secret": "webhookSecret",
  muted_until: "mutedUntil",
  enabled: "enabled",
};

/** The API's `details` as one message per form field (the first per field wins). */
export function errorsByField(
  details: readonly { path: string; message: string }[],
): Partial<Record<RuleFormField, string>> {
  const errors: Partial<Record<RuleFormField, string>> = {};
  for (const detail of details) {
    const field = FIELD_OF_PATH[detail.path] ?? "form";
    errors[field] ??= field === "form" ? `${detail.path}: ${detail.message}` : detail.message;
  }
  return errors;
}
