import { revokeIngestKey } from "@/db/queries/credentials";
import { forgetCachedCredentials } from "@/lib/auth/authorize";
import { AppError } from "@/lib/errors";
import * as access from "@/lib/http/contracts/access";
import { defineRoute } from "@/lib/http/define-route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const DELETE = defineRoute(access.revokeIngestKey, async ({ params }) => {
  if (!(await revokeIngestKey(params.id))) throw new AppError("not_found", "No such active ingest key");
  // this process forgets at once; the others within their cache's few seconds
  forgetCachedCredentials();
});
