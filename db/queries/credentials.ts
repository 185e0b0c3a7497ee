import "server-only";
import { and, desc, eq, gt, isNull, or } from "drizzle-orm";
import type { Role } from "../schema";
import { getDb } from "../client";
import { apiTokens, ingestKeys, projectMembers, projects, users } from "../schema";

export interface IngestKeyRow {
  id: string;
  project_id: string;
  name: string;
  prefix: string;
  created_at: Date;
  revoked_at: Date | null;
}

const ingestKeyColumns = {
  id: ingestKeys.id,
  project_id: ingestKeys.projectId,
  name: ingestKeys.name,
  prefix: ingestKeys.prefix,
  created_at: ingestKeys.createdAt,
  revoked_at: ingestKeys.revokedAt,
};

export async function insertIngestKey(key: {
  projectId: string;
  name: string;
  prefix: string;
  hash: string;
}): Promise<IngestKeyRow> {
  const [row] = await getDb()
    .insert(ingestKeys)
    .values({ projectId: key.projectId, name: key.name, prefix: key.prefix, keyHash: key.hash })
    .returning(ingestKeyColumns);
  if (!row) throw new Error("ingest key not inserted");
  return row;
}

export function listIngestKeys(): Promise<IngestKeyRow[]> {
  return getDb().select(ingestKeyColumns).from(ingestKeys).orderBy(desc(ingestKeys.createdAt));
}

/** Revokes a key; false when there is no such key or it was revoked before. */
export async function revokeIngestKey(id: string): Promise<boolean> {
  const rows = await getDb()
    .update(ingestKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(ingestKeys.id, id), isNull(ingestKeys.revokedAt)))
    .returning({ id: ingestKeys.id });
  return rows.length > 0;
}

/** What a live key with this hash grants (its project and the project's page origins), or null. */
export async function findIngestKeyGrant(
  hash: string,
): Promise<{ projectId: string; allowedOrigins: string[] } | null> {
  const [row] = await getDb()
    .select({ projectId: ingestKeys.projectId, allowedOrigins: projects.allowedOrigins })
    .from(ingestKeys)
    .innerJoin(projects, eq(projects.id, ingestKeys.projectId))
    .where(and(eq(ingestKeys.keyHash, hash), isNull(ingestKeys.revokedAt)))
    .limit(1);
  return row ?? null;
}

/** Sets the page origins allowed to send events with a project's keys; false if no such project. */
export async function setProjectAllowedOrigins(id: string, origins: string[]): Promise<boolean> {
  const rows = await getDb()
    .update(projects)
    .set({ allowedOrigins: origins })
    .where(eq(projects.id, id))
    .returning({ id: projects.id });
  return rows.length > 0;
}

export async function projectExists(id: string): Promise<boolean> {
  const [row] = await getDb().select({ id: projects.id }).from(projects).where(eq(projects.id, id)).limit(1);
  return row !== undefined;
}

/** Origins allowed to send events to a project from a page (CORS). */
export async function projectAllowedOrigins(id: string): Promise<string[]> {
  const [row] = await getDb()
    .select({ origins: projects.allowedOrigins })
    .from(projects)
    .where(eq(projects.id, id))
    .limit(1);
  return row?.origins ?? [];
}

/** Makes a project (id and name); false when the id is taken. */
export async function insertProject(id: string, name: string): Promise<boolean> {
  const rows = await getDb()
    .insert(projects)
    .values({ id, name })
    .onConflictDoNothing()
    .returning({ id: projects.id });
  return rows.length > 0;
}

export function listProjects(): Promise<{ id: string; name: string }[]> {
  return getDb().select({ id: projects.id, name: projects.name }).from(projects).orderBy(projects.id);
}

/** Adds a user to projects (those they are in already stay). */
export async function addProjectMembers(userId: string, projectIds: readonly string[]): Promise<void> {
  if (projectIds.length === 0) return;
  await getDb()
    .insert(projectMembers)
    .values(projectIds.map((projectId) => ({ projectId, userId })))
    .onConflictDoNothing();
}

/** The projects a user may open: every project for an admin, their memberships otherwise. */
export async function projectsOfUser(userId: string, role: Role): Promise<{ id: string; name: string }[]> {
  if (role === "admin") return listProjects();
  return getDb()
    .select({ id: projects.id, name: projects.name })
    .from(projectMembers)
    .innerJoin(projects, eq(projects.id, projectMembers.projectId))
    .where(eq(projectMembers.userId, userId))
    .orderBy(projects.id);
}

export interface ApiTokenRow {
  id: string;
  project_id: string;
  user_id: string;
  name: string;
  prefix: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

export async function insertApiToken(token: {
  userId: string;
  projectId: string;
  name: string;
  prefix: string;
  hash: string;
  expiresAt: Date | null;
}): Promise<ApiTokenRow> {
  const [row] = await getDb()
    .insert(apiTokens)
    .values({
      userId: token.userId,
      projectId: token.projectId,
      name: token.name,
      prefix: token.prefix,
      tokenHash: token.hash,
      expiresAt: token.expiresAt,
    })
    .returning({
      id: apiTokens.id,
      project_id: apiTokens.projectId,
      user_id: apiTokens.userId,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      created_at: apiTokens.createdAt,
      expires_at: apiTokens.expiresAt,
      revoked_at: apiTokens.revokedAt,
    });
  if (!row) throw new Error("API token not inserted");
  return row;
}

/** The owner of a live, unexpired token with this hash, with their current role, and the token's project. */
export async function findApiTokenUser(
  hash: string,
  now: Date,
): Promise<{ userId: string; email: string; role: Role; projectId: string } | null> {
  const [row] = await getDb()
    .select({ userId: users.id, email: users.email, role: users.role, projectId: apiTokens.projectId })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(
      and(
        eq(apiTokens.tokenHash, hash),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
      ),
    )
    .limit(1);
  return row ?? null;
}

export async function findUserByEmail(email: string): Promise<{ id: string; role: Role } | null> {
  const [row] = await getDb()
    .select({ id: users.id, role: users.role })
    .from(users)
    .where(eq(users.email, email.toLowerCase()))
    .limit(1);
  return row ?? null;
}

export async function setUserRole(userId: string, role: Role): Promise<void> {
  await getDb().update(users).set({ role, updatedAt: new Date() }).where(eq(users.id, userId));
}

export async function anyUserExists(): Promise<boolean> {
  const rows = await getDb().select({ id: users.id }).from(users).limit(1);
  return rows.length > 0;
}

/** Every live ingest key's hash, project and the project's page origins (kept in memory by the web processes). */
export function listActiveIngestKeyHashes(): Promise<
  { hash: string; projectId: string; allowedOrigins: string[] }[]
> {
  return getDb()
    .select({
      hash: ingestKeys.keyHash,
      projectId: ingestKeys.projectId,
      allowedOrigins: projects.allowedOrigins,
    })
    .from(ingestKeys)
    .innerJoin(projects, eq(projects.id, ingestKeys.projectId))
    .where(isNull(ingestKeys.revokedAt));
}
