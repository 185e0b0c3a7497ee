import { z } from "zod";
import { errorStatus, type ErrorCode } from "../errors";
import { eventInputSchema } from "../events/schema";
import type { ResponseSpec, RouteContract } from "../http/contract";
import { namedSchemas, routeContracts } from "../http/contracts";
import { SESSION_COOKIE } from "../auth/cookies";

/**
 * The OpenAPI 3.1 document, generated from the route contracts: the same zod schemas the
 * routes parse requests with, and those their answers are type-checked against.
 */
type JsonSchema = Record<string, unknown>;

type Io = "input" | "output";

/** Schemas written once under components (as request or as response) and referred to elsewhere. */
const components = new Map<unknown, { name: string; io: Io }>([
  [eventInputSchema, { name: "Event", io: "input" }],
  ...Object.entries(namedSchemas).map(([name, schema]) => [schema, { name, io: "output" as Io }] as const),
]);

/** `schema` as JSON Schema; a named one, even at the root, as its $ref unless it is `component` itself. */
function toSchema(schema: z.ZodType, io: Io, component?: unknown): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema, path }) => {
      const named = components.get(zodSchema);
      if (named === undefined || named.io !== io || (path.length === 0 && zodSchema === component)) return;
      for (const key of Object.keys(jsonSchema)) delete (jsonSchema as JsonSchema)[key];
      (jsonSchema as JsonSchema).$ref = `#/components/schemas/${named.name}`;
    },
  }) as JsonSchema;
  return rest;
}

const errorBody = z.looseObject({
  error: z.object({
    code: z.enum(Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    correlation_id: z.string().meta({ description: "the request's X-Request-Id, also in the logs" }),
    details: z
      .array(
        z.object({
          index: z.number().int().optional().meta({ description: "the event's index in a batch" }),
          path: z
            .string()
            .meta({ description: "the field, e.g. condition.value; (body) or (query) for the whole" }),
          message: z.string(),
        }),
      )
      .optional(),
  }),
});

/** The codes a route may answer with: its own, and those of the steps defineRoute takes for it. */
function errorCodes(contract: RouteContract): ErrorCode[] {
  const codes = new Set<ErrorCode>();
  if (contract.access !== "public") codes.add("unauthorized");
  if (contract.access !== "public" && contract.access !== "ingest") {
    codes.add("forbidden");
    if (contract.method !== "GET") codes.add("cross_site_request");
  }
  if (contract.params) codes.add("not_found");
  if (contract.query) codes.add("invalid_query");
  if (contract.body)
    ["payload_too_large", "invalid_json", "validation_failed"].forEach((c) => codes.add(c as ErrorCode));
  for (const code of contract.errors ?? []) codes.add(code);
  if (contract.deadlineMs !== false) codes.add("dependency_unavailable");
  codes.add("internal");
  return [...codes];
}

const errorRef = { $ref: "#/components/schemas/Error" };

/**
 * The route's answers by status: its success and other answers, then its error codes grouped by
 * status (a status that is both, like /api/health's 503, takes either body).
 */
function responses(contract: RouteContract): Record<string, JsonSchema> {
  const answers = [contract.response, ...(contract.otherResponses ?? [])];
  const byStatus: Record<string, JsonSchema> = Object.fromEntries(
    answers.map((spec) => [String(spec.status), response(spec)]),
  );
  const errorsByStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodes(contract)) {
    errorsByStatus.set(errorStatus[code], [...(errorsByStatus.get(errorStatus[code]) ?? []), code]);
  }
  for (const [status, codes] of errorsByStatus) {
    const answer = byStatus[String(status)] as
      { description: string; content?: { "application/json"?: { schema: JsonSchema } } } | undefined;
    const json = answer?.content?.["application/json"]?.schema;
    byStatus[String(status)] =
      answer === undefined
        ? { description: codes.join(", "), content: { "application/json": { schema: errorRef } } }
        : {
            description: `${answer.description}; or an error: ${codes.join(", ")}`,
            content: { "application/json": { schema: json ? { oneOf: [json, errorRef] } : errorRef } },
          };
  }
  return byStatus;
}

function response(spec: ResponseSpec): JsonSchema {
  if (spec.schema !== undefined) {
    const type = spec.contentType ?? "application/json";
    return {
      description: spec.description,
      content: { [type]: { schema: toSchema(spec.schema, "output") } },
    };
  }
  if (spec.contentType !== undefined) {
    return { description: spec.description, content: { [spec.contentType]: { schema: { type: "string" } } } };
  }
  return { description: spec.description };
}

function parameters(schema: z.ZodType | undefined, location: "path" | "query"): JsonSchema[] {
  if (schema === undefined) return [];
  const json = toSchema(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === "path" || (json.required?.includes(name) ?? false),
    schema: property,
  }));
}

function requestBody(contract: RouteContract): JsonSchema | undefined {
  if (contract.body !== undefined) {
    return {
      required: true,
      content: { "application/json": { schema: toSchema(contract.body, "input") } },
    };
  }
  if (contract.rawBody !== undefined) {
    const content = Object.entries(contract.rawBody).map(([type, schema]) => [
      type,
      { schema: toSchema(schema, "input") },
    ]);
    return { required: true, content: Object.fromEntries(content) };
  }
  return undefined;
}

/** The credentials a route takes (docs/security.md). */
function security(contract: RouteContract): JsonSchema {
  if (contract.access === "public") return { security: [] };
  if (contract.access === "ingest") return { security: [{ ingestKey: [] }, { ingestKeyHeader: [] }] };
  return { security: [{ apiToken: [] }, { session: [] }] };
}

const securitySchemes = {
  ingestKey: {
    type: "http",
    scheme: "bearer",
    description: "A project's ingest key (pulse_ik_…): write-only",
  },
  ingestKeyHeader: {
    type: "apiKey",
    in: "header",
    name: "X-API-Key",
    description: "The same key, as a header",
  },
  apiToken: {
    type: "http",
    scheme: "bearer",
    description: "A personal API token (pulse_pat_…): its owner's role, on the one project it was made for",
  },
  session: {
    type: "apiKey",
    in: "cookie",
    name: SESSION_COOKIE,
    description: "The dashboard's sign-in",
  },
};

/** The project a signed-in user's request acts on (docs/security.md, "Projects"). */
const projectHeader: JsonSchema = {
  name: "X-Pulse-Project",
  in: "header",
  required: false,
  description:
    "The project this request reads and changes: one the caller is in (403 otherwise). Default: the dashboard's choice, else the default project. A token acts on its own project only.",
  schema: { type: "string" },
};

function operation(contract: RouteContract): JsonSchema {
  const params = [...parameters(contract.params, "path"), ...parameters(contract.query, "query")];
  if (contract.access !== "public" && contract.access !== "ingest") params.push(projectHeader);
  const body = requestBody(contract);
  return {
    operationId: contract.name,
    summary: contract.summary,
    ...(contract.description === undefined ? {} : { description: contract.description }),
    // who may call the route: public, ingest, or the least role (viewer < member < admin)
    "x-access": contract.access,
    ...security(contract),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(body === undefined ? {} : { requestBody: body }),
    responses: responses(contract),
  };
}

export function buildOpenApiDocument(contracts: readonly RouteContract[] = routeContracts): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const contract of contracts) {
    const methods = (paths[contract.path] ??= {});
    const method = contract.method.toLowerCase();
    if (methods[method] !== undefined) {
      throw new Error(`Two contracts for ${contract.method} ${contract.path}`);
    }
    methods[method] = operation(contract);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Pulse analytics API",
      version: "1.0.0",
      description: "Ingest product events, query history and window aggregates, stream live figures.",
    },
    components: {
      securitySchemes,
      schemas: Object.fromEntries([
        ...[...components].map(([schema, { name, io }]) => [
          name,
          toSchema(schema as z.ZodType, io, schema as z.ZodType),
        ]),
        ["Error", toSchema(errorBody, "output")],
      ]),
    },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
  };
}
