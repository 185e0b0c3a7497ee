import { z } from "zod";
import { deliveriesQuery, incidentsQuery, uuidParam } from "../../alerts/list-queries";
import {
  deliveryStatuses,
  incidentStatuses,
  notificationKinds,
  ruleMetrics,
  ruleStates,
  severities,
} from "../../alerts/constants";
import type { DeliveryDto, IncidentDto, PreviewDto, RuleDto } from "../../alerts/dto";
import { conditionSchema, ruleInputSchema, rulePatchSchema } from "../../alerts/rule-schema";
import { defineContract } from "../contract";
import { seriesPoint } from "./anomalies";
import { idParams, isoTime, page, type Assert, type Same } from "./shapes";

/** Contracts of alert rules, their incidents and notification deliveries (docs/alerts.md). */

const incident = z.object({
  id: z.string(),
  rule_id: z.string(),
  rule_name: z.string().nullable(),
  status: z.enum(incidentStatuses),
  severity: z.enum(severities),
  event_type: z.string(),
  region: z.string(),
  metric: z.string(),
  window_seconds: z.number().int(),
  fired_window_start: isoTime,
  resolved_window_start: isoTime.nullable(),
  observed: z.number().nullable(),
  expected: z.number().nullable(),
  score: z.number().nullable(),
  anomaly_id: z.number().int().nullable(),
  notified: z.boolean(),
  fired_at: isoTime,
  acknowledged_at: isoTime.nullable(),
  resolved_at: isoTime.nullable(),
});
type _Incident = Assert<Same<z.output<typeof incident>, IncidentDto>>;

const rule = z.object({
  id: z.string(),
  name: z.string(),
  event_type: z.string(),
  region: z.string(),
  metric: z.enum(ruleMetrics),
  window_seconds: z.number().int(),
  condition: conditionSchema,
  for_windows: z.number().int(),
  severity: z.enum(severities),
  channels: z.object({
    in_app: z.boolean(),
    webhook: z
      .object({
        url: z.string().meta({
          description:
            "Masked (scheme, host, first path segment, query names; the rest is …): the full URL is never returned. On PATCH, omit channels.webhook.url (or send this value back) to keep the stored URL.",
        }),
        has_secret: z.boolean(),
      })
      .nullable(),
  }),
  muted_until: isoTime.nullable(),
  enabled: z.boolean(),
  state: z.enum(ruleStates),
  open_incident: incident.nullable(),
  created_at: isoTime,
  updated_at: isoTime,
});
type _Rule = Assert<Same<z.output<typeof rule>, RuleDto>>;

const delivery = z.object({
  id: z.string(),
  rule_id: z.string(),
  rule_name: z.string().nullable(),
  incident_id: z.string().nullable(),
  kind: z.enum(notificationKinds),
  url: z.string(),
  status: z.enum(deliveryStatuses),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  last_status_code: z.number().int().nullable(),
  last_error: z.string().nullable(),
  created_at: isoTime,
  updated_at: isoTime,
  delivered_at: isoTime.nullable(),
  dead_lettered_at: isoTime.nullable(),
  attempt_log: z.array(
    z.object({
      attempt: z.number().int(),
      outcome: z.enum(["delivered", "retry", "dead_lettered"]),
      status_code: z.number().int().nullable(),
      error: z.string().nullable(),
      duration_ms: z.number(),
      attempted_at: isoTime,
    }),
  ),
});
type _Delivery = Assert<Same<z.output<typeof delivery>, DeliveryDto>>;

const preview = z.object({
  from: isoTime,
  to: isoTime,
  windows: z.number().int(),
  incidents: z.array(
    z.object({
      fired_window_start: isoTime,
      resolved_window_start: isoTime.nullable(),
      peak_observed: z.number().nullable(),
    }),
  ),
  points: z.array(seriesPoint.extend({ breach: z.boolean() })),
  note: z.string().nullable(),
});
type _Preview = Assert<Same<z.output<typeof preview>, PreviewDto>>;

/** Response schemas the OpenAPI document names (components) instead of repeating them. */
export const alertSchemas = { Rule: rule, Incident: incident, Delivery: delivery, RulePreview: preview };

const ruleParams = idParams(uuidParam);
const ruleAnswer = z.object({ rule });
const previewAnswer = z.object({ preview });

export const listRules = defineContract({
  name: "alerts.rules.list",
  access: "viewer",
  method: "GET",
  path: "/api/alerts/rules",
  summary: "Every alert rule with its state (one page: a deployment has tens of rules)",
  response: {
    status: 200,
    description: "Rules, newest first; next_cursor is always null",
    schema: z.object({ data: z.array(rule), next_cursor: z.null() }),
  },
});

export const createRule = defineContract({
  name: "alerts.rules.create",
  access: "member",
  method: "POST",
  path: "/api/alerts/rules",
  summary: "Create an alert rule",
  description:
    "validation_failed names each wrong field, the configured window sizes and the webhook's host included.",
  body: ruleInputSchema,
  response: { status: 201, description: "The new rule", schema: ruleAnswer },
});

export const getRule = defineContract({
  name: "alerts.rules.get",
  access: "viewer",
  method: "GET",
  path: "/api/alerts/rules/{id}",
  summary: "One alert rule with its state",
  params: ruleParams,
  resource: "alert rule",
  response: { status: 200, description: "The rule", schema: ruleAnswer },
  errors: ["not_found"],
});

export const updateRule = defineContract({
  name: "alerts.rules.update",
  access: "member",
  method: "PATCH",
  path: "/api/alerts/rules/{id}",
  summary: "Change any subset of a rule's fields",
  description:
    "The merged rule is validated as a whole. A change to what the rule watches or when it fires (or disabling it) resolves its open incident without a notification. Omit channels.webhook.secret to keep the stored one.",
  params: ruleParams,
  resource: "alert rule",
  body: rulePatchSchema,
  response: { status: 200, description: "The updated rule", schema: ruleAnswer },
  errors: ["not_found"],
});

export const deleteRule = defineContract({
  name: "alerts.rules.delete",
  access: "member",
  method: "DELETE",
  path: "/api/alerts/rules/{id}",
  summary: "Delete a rule",
  params: ruleParams,
  resource: "alert rule",
  response: { status: 204, description: "Deleted" },
  errors: ["not_found"],
});

export const previewRule = defineContract({
  name: "alerts.rules.preview",
  access: "viewer",
  method: "GET",
  path: "/api/alerts/rules/{id}/preview",
  summary: "Replay a stored rule over the last 24 hours of windows: when would it have fired?",
  params: ruleParams,
  resource: "alert rule",
  response: { status: 200, description: "The replay", schema: previewAnswer },
  errors: ["not_found"],
});

export const previewDraftRule = defineContract({
  name: "alerts.rules.preview-draft",
  access: "viewer",
  method: "POST",
  path: "/api/alerts/rules/preview",
  summary: "Replay a draft rule (validated like a create, nothing saved or sent) over the last 24 hours",
  body: ruleInputSchema,
  response: { status: 200, description: "The replay", schema: previewAnswer },
});

export const testRule = defineContract({
  name: "alerts.rules.test",
  access: "member",
  method: "POST",
  path: "/api/alerts/rules/{id}/test",
  summary: "Send a test notification through the rule's channels",
  params: ruleParams,
  resource: "alert rule",
  response: {
    status: 202,
    description:
      "The webhook delivery queued (null without a webhook), and whether an in-app notification was published",
    schema: z.object({ delivery: delivery.nullable(), in_app: z.boolean() }),
  },
  errors: ["not_found"],
});

export const listIncidents = defineContract({
  name: "alerts.incidents.list",
  access: "viewer",
  method: "GET",
  path: "/api/alerts/incidents",
  summary: "Alert incidents, newest first",
  query: incidentsQuery,
  response: { status: 200, description: "A page of incidents", schema: page(incident) },
});

const incidentParams = idParams(uuidParam);
const incidentAnswer = z.object({ incident });

export const getIncident = defineContract({
  name: "alerts.incidents.get",
  access: "viewer",
  method: "GET",
  path: "/api/alerts/incidents/{id}",
  summary: "One incident",
  params: incidentParams,
  resource: "incident",
  response: { status: 200, description: "The incident", schema: incidentAnswer },
  errors: ["not_found"],
});

export const acknowledgeIncident = defineContract({
  name: "alerts.incidents.acknowledge",
  access: "member",
  method: "POST",
  path: "/api/alerts/incidents/{id}/acknowledge",
  summary: "Acknowledge an open incident",
  params: incidentParams,
  resource: "incident",
  response: { status: 200, description: "The incident", schema: incidentAnswer },
  errors: ["not_found", "conflict"],
});

export const listDeliveries = defineContract({
  name: "alerts.deliveries.list",
  access: "viewer",
  method: "GET",
  path: "/api/alerts/deliveries",
  summary: "The notification delivery log, newest first, every attempt included",
  description: "`status=dead_lettered` lists the dead letters.",
  query: deliveriesQuery,
  response: { status: 200, description: "A page of deliveries", schema: page(delivery) },
});
