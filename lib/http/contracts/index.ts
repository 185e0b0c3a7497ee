import type { z } from "zod";
import type { RouteContract } from "../contract";
import * as access from "./access";
import * as alerts from "./alerts";
import * as anomalies from "./anomalies";
import * as events from "./events";
import * as system from "./system";

/**
 * Every route's contract, for the OpenAPI document. A route file binds its handler to one of
 * them with defineRoute; app/api/openapi/route.test.ts fails when a route file's method is not documented.
 */
export const routeContracts: readonly RouteContract[] = [access, alerts, anomalies, events, system].flatMap(
  (module) => Object.values(module).filter(isContract),
);

/** Response schemas written once under the document's components and referred to elsewhere. */
export const namedSchemas: Readonly<Record<string, z.ZodType>> = {
  ...access.accessSchemas,
  ...alerts.alertSchemas,
  ...anomalies.anomalySchemas,
  ...events.eventSchemas,
  ...system.systemSchemas,
};

function isContract(value: unknown): value is RouteContract {
  return (
    typeof value === "object" &&
    value !== null &&
    "method" in value &&
    "access" in value &&
    "response" in value
  );
}
