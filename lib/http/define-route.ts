import type { z } from "zod";
import { authorize, heldIngestPrincipal } from "../auth/authorize";
import type { Principal } from "../auth/principal";
import { AppError, zodErrorDetails } from "../errors";
import { readJsonBody } from "./body";
import { isDroppedConnection } from "./dependency-errors";
import { clientAddress } from "./client-address";
import { enforceRateLimit, takeLeasedPoint } from "./rate-limit";
import type { ContractHandler, RouteContract, RouteInput } from "./contract";
import { jsonResponse, withRoute } from "./route";

/** What Next.js calls for an exported GET, POST ...; `contract` is there for the OpenAPI checks. */
export type ContractRoute<C extends RouteContract> = ((
  request: Request,
  segment?: { params: Promise<Record<string, string | string[]>> },
) => Promise<Response>) & { contract: C };

/**
 * Binds a handler to its contract. Before the handler runs: the rate limits and the caller against the contract's
 * `access` (401 unauthorized, 403 forbidden or cross_site_request), then path parameters (404 not_found),
 * the query string (400 invalid_query), the JSON body (413, 400 invalid_json, 400
 * validation_failed), each parsed once with the contract's schemas. A returned body is sent as
 * JSON with the contract's status. Correlation id, deadline and error mapping: `withRoute`.
 */
export function defineRoute<const C extends RouteContract>(
  contract: C,
  handler: ContractHandler<C>,
): ContractRoute<C> {
  const route = withRoute<Record<string, string | string[]>>(
    contract.name,
    async (request, { correlationId }, rawParams) => {
      const caller = checkCaller(contract, request);
      const principal = caller instanceof Promise ? await caller : caller;
      const input = {
        principal,
        params: contract.params && parseParams(contract, contract.params, rawParams),
        query: contract.query && parseQuery(contract.query, request.url),
        body:
          contract.body &&
          parseWith(contract.body, await readJsonBody(request, contract.maxBodyBytes), "validation_failed"),
        request,
        correlationId,
      } as RouteInput<C>;
      let result;
      try {
        result = await handler(input);
      } catch (error) {
        // TRICKY: after a PostgreSQL restart the pool may still hold connections the server
        // ended; the first query on one fails though the server is back. A read is tried once
        // more (on another connection); a change is not (it may have been applied).
        if (contract.method !== "GET" || !isDroppedConnection(error)) throw error;
        result = await handler(input);
      }
      if (result instanceof Response) return result;
      if (result === undefined) return new Response(null, { status: contract.response.status });
      return jsonResponse(result, contract.response.status);
    },
    { deadlineMs: contract.deadlineMs },
  );
  return Object.assign(route, { contract });
}

/**
 * The rate limits and the caller. Ingest counts against its key only (one Redis round trip
 * per request on the hottest path; the key bounds what any holder of it can send), and
 * against the address when its credentials fail (guessing keys). Every other route counts
 * against the address first.
 */
function checkCaller(contract: RouteContract, request: Request): Principal | Promise<Principal> {
  if (contract.access === "ingest") {
    // the hot path, without a promise: a key this process holds, with a point of its lease left
    const held = heldIngestPrincipal(request);
    if (held?.kind === "ingest" && takeLeasedPoint("ingest_key", held.keyId)) return held;
  }
  return checkCallerAsync(contract, request);
}

async function checkCallerAsync(contract: RouteContract, request: Request): Promise<Principal> {
  if (contract.access !== "ingest") {
    await enforceRateLimit("ip", clientAddress(request));
    return authorize(contract.access, request);
  }
  let principal: Principal;
  try {
    principal = await authorize(contract.access, request);
  } catch (error) {
    await enforceRateLimit("ip", clientAddress(request));
    throw error;
  }
  if (principal.kind === "ingest") await enforceRateLimit("ingest_key", principal.keyId);
  return principal;
}

function parseParams(contract: RouteContract, schema: z.ZodType, raw: unknown): unknown {
  const result = schema.safeParse(raw);
  // a malformed id names nothing that exists
  if (!result.success) throw new AppError("not_found", `No such ${contract.resource ?? "resource"}`);
  return result.data;
}

function parseQuery(schema: z.ZodType, url: string): unknown {
  return parseWith(schema, Object.fromEntries(new URL(url).searchParams), "invalid_query");
}

function parseWith(schema: z.ZodType, value: unknown, code: "invalid_query" | "validation_failed"): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const [message, root] =
    code === "invalid_query"
      ? ["Invalid request parameters", "(query)"]
      : ["The request body is invalid", "(body)"];
  throw new AppError(code, message, { details: zodErrorDetails(result.error, root) });
}
