"use client";

import { useCanEdit } from "@/components/providers/current-user";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { ApiError, Button, Input, Segmented, Select } from "@/components/ui";
import {
  conditionTypes,
  ruleMetrics,
  sensitivities,
  severities,
  thresholdOperators,
  type ConditionType,
} from "@/lib/alerts/constants";
import type { PreviewDto, RuleDto } from "@/lib/alerts/dto";
import { alertKeys, alertsApi } from "./api";
import { PreviewPanel } from "./preview-panel";
import {
  emptyRuleForm,
  errorsByField,
  formFromRule,
  toRuleBody,
  type RuleFormField,
  type RuleFormValues,
} from "./rule-form-state";

const conditionLabels: Record<ConditionType, string> = {
  anomaly: "Anomaly",
  threshold: "Threshold",
  no_data: "No data",
};
const metricLabels: Record<string, string> = {
  count: "Events",
  distinct_users: "Distinct users",
  avg: "Average value",
  p95: "p95 value",
};
const toOptions = (values: readonly string[], labels: Record<string, string> = {}) =>
  values.map((value) => ({ value, label: labels[value] ?? value }));

function Checkbox({
  label,
  checked,
  onChange,
  hint,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: ReactNode;
}) {
  return (
    <label className="flex items-start gap-2 text-sm text-slate-700">
      <input
        type="checkbox"
        className="mt-0.5 size-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-600"
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
      />
      <span>
        {label}
        {hint && <span className="block text-xs text-slate-500">{hint}</span>}
      </span>
    </label>
  );
}

export interface RuleFormProps {
  /** The rule being edited, or undefined for a new one. */
  rule?: RuleDto;
  windowSizes: readonly number[];
  onDone: (rule: RuleDto) => void;
  onCancel: () => void;
}

/** Create or edit a rule; the API's field-level errors are shown next to their fields. */
export function RuleForm({ rule, windowSizes, onDone, onCancel }: RuleFormProps) {
  const canEdit = useCanEdit();
  const client = useQueryClient();
  const [values, setValues] = useState<RuleFormValues>(() =>
    rule ? formFromRule(rule) : emptyRuleForm(windowSizes),
  );
  const [errors, setErrors] = useState<Partial<Record<RuleFormField, string>>>({});
  const [preview, setPreview] = useState<PreviewDto | undefined>();
  const set = <K extends keyof RuleFormValues>(key: K, value: RuleFormValues[K]) =>
    setValues((current) => ({ ...current, [key]: value }));

  const showErrors = (error: unknown) => {
    if (error instanceof ApiError && error.details.length > 0) setErrors(errorsByField(error.details));
    else setErrors({ form: error instanceof Error ? error.message : String(error) });
  };

  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      rule ? alertsApi.updateRule(rule.id, body) : alertsApi.createRule(body),
    onMutate: () => setErrors({}),
    onError: showErrors,
    onSuccess: async ({ rule: saved }) => {
      await client.invalidateQueries({ queryKey: alertKeys.all });
      onDone(saved);
    },
  });
  const previewDraft = useMutation({
    mutationFn: (body: Record<string, unknown>) => alertsApi.previewDraft(body),
    onMutate: () => setErrors({}),
    onError: showErrors,
    onSuccess: ({ preview: result }) => setPreview(result),
  });

  const sizeOptions = windowSizes.map((size) => ({
    value: String(size),
    label: size % 60 === 0 ? `${size / 60} min` : `${size} s`,
  }));

  return (
    <form
      noValidate
      aria-label={rule ? `Edit rule ${rule.name}` : "New alert rule"}
      className="space-y-4"
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate(toRuleBody(values, rule));
      }}
    >
      {errors.form && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {errors.form}
        </p>
      )}
      <Input
        label="Name"
        value={values.name}
        error={errors.name}
        onChange={(e) => set("name", e.target.value)}
      />
      <div className="grid gap-3 sm:grid-cols-2">
        <Input
          label="Event type"
          hint="* watches the total over all types"
          value={values.eventType}
          error={errors.eventType}
          onChange={(e) => set("eventType", e.target.value)}
        />
        <Input
          label="Region"
          hint="* watches the total over all regions"
          value={values.region}
          error={errors.region}
          onChange={(e) => set("region", e.target.value)}
        />
        <Select
          label="Metric"
          value={values.metric}
          error={errors.metric}
          options={toOptions(ruleMetrics, metricLabels)}
          onChange={(e) => set("metric", e.target.value as RuleFormValues["metric"])}
        />
        <Select
          label="Window"
          value={values.windowSeconds}
          error={errors.windowSeconds}
          options={sizeOptions}
          onChange={(e) => set("windowSeconds", e.target.value)}
        />
      </div>

      <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-xs font-medium text-slate-600">Condition</legend>
        <Segmented
          label="Condition type"
          value={values.conditionType}
          options={conditionTypes.map((type) => ({ value: type, label: conditionLabels[type] }))}
          onChange={(type) => set("conditionType", type)}
        />
        {errors.conditionType && <p className="text-xs font-medium text-red-700">{errors.conditionType}</p>}
        {values.conditionType === "anomaly" && (
          <Select
            label="Sensitivity"
            hint="High alerts on smaller surprises (score ≥ 0.5); low only on large ones (≥ 0.8)"
            value={values.sensitivity}
            error={errors.sensitivity}
            options={toOptions(sensitivities)}
            onChange={(e) => set("sensitivity", e.target.value as RuleFormValues["sensitivity"])}
          />
        )}
        {values.conditionType === "threshold" && (
          <div className="grid gap-3 sm:grid-cols-2">
            <Select
              label="Operator"
              value={values.operator}
              error={errors.operator}
              options={toOptions(thresholdOperators)}
              onChange={(e) => set("operator", e.target.value as RuleFormValues["operator"])}
            />
            <Input
              label="Value"
              inputMode="decimal"
              value={values.value}
              error={errors.value}
              onChange={(e) => set("value", e.target.value)}
            />
          </div>
        )}
        {values.conditionType === "no_data" && (
          <Input
            label="Windows without data"
            inputMode="numeric"
            value={values.noDataWindows}
            error={errors.noDataWindows}
            onChange={(e) => set("noDataWindows", e.target.value)}
          />
        )}
        {values.conditionType !== "no_data" && (
          <Input
            label="For (consecutive windows)"
            hint="Fires after this many breaching windows in a row; resolves after as many clear ones"
            inputMode="numeric"
            value={values.forWindows}
            error={errors.forWindows}
            onChange={(e) => set("forWindows", e.target.value)}
          />
        )}
      </fieldset>

      <Select
        label="Severity"
        value={values.severity}
        error={errors.severity}
        options={toOptions(severities)}
        onChange={(e) => set("severity", e.target.value as RuleFormValues["severity"])}
      />

      <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-xs font-medium text-slate-600">Channels</legend>
        {errors.channels && (
          <p role="alert" className="text-xs font-medium text-red-700">
            {errors.channels}
          </p>
        )}
        <Checkbox
          label="In-app (dashboard)"
          checked={values.inApp}
          onChange={(checked) => set("inApp", checked)}
        />
        <Input
          label="Webhook URL"
          placeholder="https://hooks.example.com/alerts"
          type="url"
          hint={
            rule?.channels.webhook
              ? "Shown masked: leave it to keep the stored URL, or enter a new one"
              : undefined
          }
          value={values.webhookUrl}
          error={errors.webhookUrl}
          onChange={(e) => set("webhookUrl", e.target.value)}
        />
        <Input
          label="Signing secret"
          type="password"
          autoComplete="new-password"
          hint={
            rule?.channels.webhook?.has_secret
              ? "A secret is set; leave blank to keep it"
              : "Optional: signs each delivery as X-Pulse-Signature: t=<time>,v1=<HMAC>"
          }
          value={values.webhookSecret}
          error={errors.webhookSecret}
          onChange={(e) => set("webhookSecret", e.target.value)}
        />
        {rule?.channels.webhook?.has_secret && (
          <Checkbox
            label="Remove the signing secret"
            checked={values.removeSecret}
            onChange={(checked) => set("removeSecret", checked)}
          />
        )}
      </fieldset>

      <div className="grid gap-3 sm:grid-cols-2">
        <Input
          label="Muted until"
          type="datetime-local"
          hint="Incidents are recorded but nobody is notified until then"
          value={values.mutedUntil}
          error={errors.mutedUntil}
          onChange={(e) => set("mutedUntil", e.target.value)}
        />
        <div className="pt-6">
          <Checkbox
            label="Enabled"
            checked={values.enabled}
            onChange={(checked) => set("enabled", checked)}
          />
        </div>
      </div>

      {preview && <PreviewPanel preview={preview} />}

      <div className="flex flex-wrap justify-end gap-2 border-t border-slate-100 pt-3">
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
        <Button loading={previewDraft.isPending} onClick={() => previewDraft.mutate(toRuleBody(values))}>
          Preview last 24 h
        </Button>
        {canEdit ? (
          <Button type="submit" variant="primary" loading={save.isPending}>
            {rule ? "Save rule" : "Create rule"}
          </Button>
        ) : (
          <p className="self-center text-xs text-slate-500">
            Viewers read rules; a member or admin changes them.
          </p>
        )}
      </div>
    </form>
  );
}
