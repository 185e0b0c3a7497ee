import * as system from "@/lib/http/contracts/system";
import { defineRoute } from "@/lib/http/define-route";
import { buildOpenApiDocument } from "@/lib/openapi/document";

export const runtime = "nodejs";

export const GET = defineRoute(system.getOpenApi, async () => buildOpenApiDocument());
