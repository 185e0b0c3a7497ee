import type { z } from "zod";
import type { Principal } from "../auth/principal";
import type { ErrorCode } from "../errors";

/**
 * A route's contract as data: what it accepts and answers. `defineRoute` (./define-route.ts)
 * parses requests with it; the OpenAPI document (lib/openapi/document.ts) is generated from it.
 */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";

/**
 * Who may call the route, from least to most: anyone; an ingest key (write-only, one project);
 * a signed-in user or personal API token with at least that role (viewer < member < admin).
 * defineRoute checks it before anything else (lib/auth/authorize.ts).
 */
export type RouteAccess = "public" | "ingest" | "viewer" | "member" | "admin";

/** One documented answer: its status and body (no `schema`: no body, or one that is not JSON). */
export interface ResponseSpec {
  status: number;
  description: string;
  /** The JSON body. The handler's return value is type-checked against it. */
  schema?: z.ZodType;
  /** A body that is not JSON (text/csv, text/event-stream ...). */
  contentType?: string;
}

export interface RouteContract {
  /** The route's label in logs and metrics (`http_request_seconds{route}`), and its operationId. */
  name: string;
  method: HttpMethod;
  /** The OpenAPI path; a dynamic segment is `{name}`, as in "/api/alerts/rules/{id}". */
  path: string;
  summary: string;
  description?: string;
  access: RouteAccess;
  /** Path parameters. One that does not parse is 404 not_found ("No such <resource>"). */
  params?: z.ZodType;
  /** What a path parameter names, for the 404 message. */
  resource?: string;
  /** The query string as an object (a repeated key keeps its last value); 400 invalid_query. */
  query?: z.ZodType;
  /**
   * A JSON body of at most `maxBodyBytes` (64 KiB): 413 payload_too_large, 400 invalid_json,
   * then 400 validation_failed. An empty body is `{}`.
   */
  body?: z.ZodType;
  maxBodyBytes?: number;
  /** A body the handler reads itself (ingest: its own size limit and parser), by content type: documented only. */
  rawBody?: Readonly<Record<string, z.ZodType>>;
  /** The success answer. */
  response: ResponseSpec;
  /** Answers that are neither the success nor an error code (GET /api/health: 503 "down"). */
  otherResponses?: readonly ResponseSpec[];
  /** Error codes the handler's own work may answer with; the wrapper adds those of its steps. */
  errors?: readonly ErrorCode[];
  /**
   * How long the handler may take to answer: QUERY_TIMEOUT_MS by default (then 503
   * dependency_unavailable); `false` for a route bounded otherwise or touching no store.
   */
  deadlineMs?: number | false;
}

/** Declares a contract, keeping its schemas' types for the handler. Every route says who may call it. */
export function defineContract<const C extends RouteContract>(contract: C): C {
  return contract;
}

type Parsed<C, K extends "query" | "body" | "params"> = C extends { [P in K]: infer S extends z.ZodType }
  ? z.output<S>
  : undefined;

/** What a handler receives: the parsed input, and the request for anything else (headers, signal). */
export interface RouteInput<C> {
  /** Who is calling (checked against the contract's access before the handler runs). */
  principal: Principal;
  query: Parsed<C, "query">;
  body: Parsed<C, "body">;
  params: Parsed<C, "params">;
  request: Request;
  correlationId: string;
}

/** The success body a handler may return (sent as JSON with the contract's status). */
export type ResponseBody<C> = C extends { response: { schema: infer S extends z.ZodType } }
  ? z.input<S>
  : void;

/**
 * A route's work: returns the success body (JSON, with the contract's status), nothing (for a
 * contract without a response schema: its status, no body), or a Response of its own (other
 * statuses, headers or content types).
 */
export type ContractHandler<C> = (input: RouteInput<C>) => Promise<Response | ResponseBody<C>>;
