import "server-only";
import { randomUUID } from "node:crypto";
import {
  addProjectMembers,
  anyUserExists,
  findUserByEmail,
  insertApiToken,
  insertIngestKey,
  projectExists,
  setUserRole,
  type ApiTokenRow,
  type IngestKeyRow,
} from "@/db/queries/credentials";
import { getDb } from "@/db/client";
import { users, type Role } from "@/db/schema";
import { createUser } from "../../auth/server";
import { AppError } from "../../errors";
import { newToken } from "../../security/tokens";
import { DEFAULT_PROJECT_ID } from "../../domain/projects";

/** An ingest key as the API shows it (never the key). */
export function ingestKeyDto(row: IngestKeyRow) {
  return {
    id: row.id,
    project_id: row.project_id,
    name: row.name,
    prefix: row.prefix,
    created_at: row.created_at.toISOString(),
    revoked_at: row.revoked_at?.toISOString() ?? null,
  };
}

/** A new ingest key for a project; the key itself is in the answer only, never stored. */
export async function createIngestKey(input: {
  projectId: string;
  name: string;
}): Promise<{ key: string; row: IngestKeyRow }> {
  if (!(await projectExists(input.projectId))) {
    throw new AppError("not_found", `No such project: ${input.projectId}`);
  }
  const { token, prefix, hash } = newToken("ingest");
  const row = await insertIngestKey({ projectId: input.projectId, name: input.name, prefix, hash });
  return { key: token, row };
}

/**
 * A personal API token of a user for one project; it acts with the user's role at each
 * request, and only on that project.
 */
export async function createApiToken(input: {
  userId: string;
  projectId: string;
  name: string;
  expiresAt?: Date | null;
}): Promise<{ token: string; row: ApiTokenRow }> {
  const { token, prefix, hash } = newToken("api");
  const row = await insertApiToken({
    userId: input.userId,
    projectId: input.projectId,
    name: input.name,
    prefix,
    hash,
    expiresAt: input.expiresAt ?? null,
  });
  return { token, row };
}

/**
 * The user with this email, made if missing: with a password (they can sign in), or
 * without one (a service account: API tokens only). An existing user takes the role given.
 * Either way the user is a member of `projects` (default: the default project).
 */
export async function ensureUser(input: {
  email: string;
  name?: string;
  role: Role;
  password?: string;
  projects?: readonly string[];
}): Promise<{ id: string; created: boolean }> {
  const email = input.email.toLowerCase();
  const projectIds = input.projects ?? [DEFAULT_PROJECT_ID];
  for (const projectId of projectIds)
    if (!(await projectExists(projectId))) throw new AppError("not_found", `No such project: ${projectId}`);
  const existing = await findUserByEmail(email);
  let result: { id: string; created: boolean };
  if (existing) {
    if (existing.role !== input.role) await setUserRole(existing.id, input.role);
    result = { id: existing.id, created: false };
  } else {
    const name = input.name ?? email.split("@")[0] ?? email;
    if (input.password) {
      const { id } = await createUser({ email, name, password: input.password, role: input.role });
      result = { id, created: true };
    } else {
      const id = randomUUID();
      await getDb().insert(users).values({ id, email, name, role: input.role });
      result = { id, created: true };
    }
  }
  await addProjectMembers(result.id, projectIds);
  return result;
}

/** The first admin from ADMIN_EMAIL / ADMIN_PASSWORD, when nobody exists yet. */
export async function ensureFirstAdmin(env: {
  ADMIN_EMAIL?: string;
  ADMIN_PASSWORD?: string;
}): Promise<"created" | "exists" | "not configured"> {
  if (await anyUserExists()) return "exists";
  if (!env.ADMIN_EMAIL || !env.ADMIN_PASSWORD) return "not configured";
  await ensureUser({ email: env.ADMIN_EMAIL, role: "admin", password: env.ADMIN_PASSWORD });
  return "created";
}
