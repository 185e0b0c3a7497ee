import { AppError } from "@/lib/errors";
import * as access from "@/lib/http/contracts/access";
import { defineRoute } from "@/lib/http/define-route";
import { jsonResponse } from "@/lib/http/route";
import { createApiToken } from "@/lib/services/auth/credentials";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = defineRoute(access.createApiToken, async ({ body, principal }) => {
  if (principal.kind !== "user") throw new AppError("forbidden", "Only a user has personal API tokens");
  const days = body.expires_in_days;
  const { token, row } = await createApiToken({
    userId: principal.userId,
    // the project this request acts on: the token reads and changes that one only
    projectId: principal.projectId,
    name: body.name,
    expiresAt: days === undefined ? null : new Date(Date.now() + days * 86_400_000),
  });
  return jsonResponse({ token, prefix: row.prefix, expires_at: row.expires_at?.toISOString() ?? null }, 201, {
    "Cache-Control": "no-store",
  });
});
