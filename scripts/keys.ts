/**
 * `npm run keys -- <command>`: credentials without a browser (scripts, CI, the first run).
 *   create [--project default] [--name NAME]          a project's ingest key (shown once)
 *   list                                               ingest keys (prefix, project, state)
 *   revoke <id>                                        revokes an ingest key (401 from then on)
 *   token --email EMAIL [--role admin|member|viewer] [--project default] [--name NAME] [--days N]
 *                                                      a personal API token for one project; makes
 *                                                      the user (a member of it) if missing
 *   user --email EMAIL --password PASSWORD [--role …] [--project default]
 *                                                      a user who signs in to the dashboard, member
 *                                                      of --project (a comma-separated list)
 *   project create ID [--name NAME] | project list     projects (each with its own data and keys)
 *   origins [--project default] [--set https://a.example,https://b.example]
 *                                                      the web pages that may send events with a
 *                                                      project's keys (CORS); --set "" clears them
 * Prints the secret alone on stdout (so `KEY=$(npm run -s keys -- create)` works), notes on stderr.
 */
import { parseArgs } from "node:util";
import { closeDb } from "@/db/client";
import {
  insertProject,
  listIngestKeys,
  listProjects,
  projectAllowedOrigins,
  revokeIngestKey,
  setProjectAllowedOrigins,
} from "@/db/queries/credentials";
import { roles, type Role } from "@/db/schema";
import { PROJECT_ID_PATTERN } from "@/lib/domain/projects";
import { createApiToken, createIngestKey, ensureUser } from "@/lib/services/auth/credentials";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    project: { type: "string", default: "default" },
    name: { type: "string" },
    email: { type: "string" },
    password: { type: "string" },
    role: { type: "string", default: "admin" },
    days: { type: "string" },
    set: { type: "string" },
  },
});

function fail(message: string): never {
  console.error(`keys: ${message}`);
  process.exit(2);
}

function role(): Role {
  const value = values.role as Role;
  if (!roles.includes(value)) fail(`--role must be one of ${roles.join(", ")}`);
  return value;
}

const [command, argument] = positionals;
try {
  switch (command) {
    case "create": {
      const { key, row } = await createIngestKey({
        projectId: values.project,
        name: values.name ?? "ingest",
      });
      console.error(
        `ingest key ${row.id} (${row.prefix}…) for project ${row.project_id}; store it now, it is not shown again`,
      );
      console.log(key);
      break;
    }
    case "list":
      for (const key of await listIngestKeys()) {
        const state = key.revoked_at ? `revoked ${key.revoked_at.toISOString()}` : "active";
        console.log(`${key.id}  ${key.prefix}…  ${key.project_id}  ${key.name}  ${state}`);
      }
      break;
    case "revoke":
      if (!argument) fail("revoke needs the key's id (npm run keys -- list)");
      if (!(await revokeIngestKey(argument))) fail(`no active key ${argument}`);
      console.error(`revoked ${argument}`);
      break;
    case "token": {
      if (!values.email) fail("token needs --email");
      const user = await ensureUser({ email: values.email, role: role(), projects: [values.project] });
      const days = values.days === undefined ? undefined : Number(values.days);
      if (days !== undefined && !(days > 0)) fail("--days must be a positive number");
      const { token, row } = await createApiToken({
        userId: user.id,
        projectId: values.project,
        name: values.name ?? "cli",
        expiresAt: days === undefined ? null : new Date(Date.now() + days * 86_400_000),
      });
      console.error(
        `API token ${row.prefix}… for ${values.email} (${role()}) on project ${row.project_id}; store it now, it is not shown again`,
      );
      console.log(token);
      break;
    }
    case "user": {
      if (!values.email || !values.password) fail("user needs --email and --password");
      const { created } = await ensureUser({
        email: values.email,
        role: role(),
        password: values.password,
        projects: values.project.split(",").map((project) => project.trim()),
      });
      console.error(
        created ? `user ${values.email} (${role()}) created` : `user ${values.email} is now ${role()}`,
      );
      break;
    }
    case "origins": {
      if (values.set !== undefined) {
        const origins = values.set
          .split(",")
          .map((origin) => origin.trim())
          .filter((origin) => origin.length > 0);
        for (const origin of origins) {
          let parsed: URL | undefined;
          try {
            parsed = new URL(origin);
          } catch {
            parsed = undefined;
          }
          if (!parsed || parsed.origin !== origin)
            fail(`${origin} is not an origin (scheme://host[:port], no path)`);
        }
        if (!(await setProjectAllowedOrigins(values.project, origins))) fail(`no project ${values.project}`);
        console.error(
          `project ${values.project}: pages of ${origins.join(", ") || "no origin"} may send events (within 5 s)`,
        );
      }
      for (const origin of await projectAllowedOrigins(values.project)) console.log(origin);
      break;
    }
    case "project": {
      if (argument === "list") {
        for (const project of await listProjects()) console.log(`${project.id}  ${project.name}`);
        break;
      }
      const id = positionals[2];
      if (argument !== "create" || !id) fail("project create ID [--name NAME] | project list");
      if (!PROJECT_ID_PATTERN.test(id)) fail("a project id is 1-63 lowercase letters, digits, _ or -");
      if (!(await insertProject(id, values.name ?? id))) fail(`project ${id} exists already`);
      console.error(`project ${id} created; give it an ingest key: npm run keys -- create --project ${id}`);
      console.log(id);
      break;
    }
    default:
      fail("commands: create, list, revoke <id>, token, user, origins, project (see scripts/keys.ts)");
  }
} finally {
  await closeDb();
}
