import { projectsOf } from "@/lib/auth/authorize";
import { AppError } from "@/lib/errors";
import * as access from "@/lib/http/contracts/access";
import { defineRoute } from "@/lib/http/define-route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = defineRoute(access.whoAmI, async ({ principal }) => {
  if (principal.kind !== "user") throw new AppError("forbidden", "Not a user");
  const projects =
    principal.via === "token" ? [principal.projectId] : await projectsOf(principal.userId, principal.role);
  return {
    email: principal.email,
    role: principal.role,
    via: principal.via,
    project: principal.projectId,
    projects,
  };
});
