import { jsonResponse, withRoute } from "@/lib/http/route";
import { buildOpenApiDocument } from "@/lib/openapi/document";

export const runtime = "nodejs";

export const GET = withRoute("openapi", async () => jsonResponse(buildOpenApiDocument()));
