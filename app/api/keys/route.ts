import { listIngestKeys } from "@/db/queries/credentials";
import * as access from "@/lib/http/contracts/access";
import { defineRoute } from "@/lib/http/define-route";
import { jsonResponse } from "@/lib/http/route";
import { createIngestKey, ingestKeyDto } from "@/lib/services/auth/credentials";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = defineRoute(access.listIngestKeys, async () => ({
  data: (await listIngestKeys()).map(ingestKeyDto),
}));

export const POST = defineRoute(access.createIngestKey, async ({ body }) => {
  const { key, row } = await createIngestKey({ projectId: body.project_id, name: body.name });
  return jsonResponse({ key, ingest_key: ingestKeyDto(row) }, 201, { "Cache-Control": "no-store" });
});
