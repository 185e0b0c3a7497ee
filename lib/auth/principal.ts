import type { Role } from "@/db/schema";

/** Who made a request, as defineRoute resolved it from the request's credentials. */
export type Principal =
  | { kind: "anonymous" }
  | {
      kind: "ingest";
      projectId: string;
      /** Page origins the project lets send events (CORS); empty: servers only. */
      allowedOrigins: readonly string[];
      /** The key's hash, shortened: its rate limit's name. */
      keyId: string;
    }
  | {
      kind: "user";
      userId: string;
      email: string;
      role: Role;
      via: "session" | "token";
      /** The one project this request reads and changes (see `authorize`). */
      projectId: string;
    };

/** The project a request acts on; routes that read or change project data pass it down. */
export function projectOf(principal: Principal): string {
  if (principal.kind === "anonymous") throw new Error("an anonymous request has no project");
  return principal.projectId;
}
