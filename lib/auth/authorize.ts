import "server-only";
import {
  findApiTokenUser,
  findIngestKeyGrant,
  listActiveIngestKeyHashes,
  projectsOfUser,
} from "@/db/queries/credentials";
import { DEFAULT_PROJECT_ID } from "@/lib/domain/projects";
import type { Role } from "@/db/schema";
import type { Principal } from "./principal";
import type { RouteAccess } from "../http/contract";
import { AppError } from "../errors";
import { ownOrigins } from "../http/client-address";
import { hashToken, tokenKind } from "../security/tokens";
import { IngestKeyDirectory, type IngestKeyGrant } from "./ingest-key-directory";
import { TtlCache } from "./ttl-cache";

const ROLE_RANK: Record<Role, number> = { viewer: 1, member: 2, admin: 3 };

/** Lookups of presented credentials, kept briefly: a revocation takes effect within this. */
export const CREDENTIAL_CACHE_MS = 5_000;
interface CredentialCaches {
  /** Every live ingest key, in memory (see IngestKeyDirectory). */
  ingestKeys: IngestKeyDirectory;
  /** Keys the directory does not hold yet (made since its last reload), briefly remembered. */
  unknownKeys: TtlCache<string, IngestKeyGrant | null>;
  apiTokens: TtlCache<string, Awaited<ReturnType<typeof findApiTokenUser>>>;
  /** The projects each signed-in user may open (key: user id and role). */
  userProjects: TtlCache<string, string[]>;
}

// One set per process, on globalThis: Next.js may load this module once per route bundle, and
// a revocation through /api/keys must reach the copy the ingest route uses.
const cachesKey = Symbol.for("analytics.auth.credentials");
type GlobalWithCaches = typeof globalThis & { [cachesKey]?: CredentialCaches };

function caches(): CredentialCaches {
  const holder = globalThis as GlobalWithCaches;
  if (!holder[cachesKey]) {
    const unknownKeys = new TtlCache<string, IngestKeyGrant | null>(CREDENTIAL_CACHE_MS, 10_000);
    holder[cachesKey] = {
      unknownKeys,
      ingestKeys: new IngestKeyDirectory(
        listActiveIngestKeyHashes,
        (hash) => unknownKeys.get(hash, () => findIngestKeyGrant(hash)),
        CREDENTIAL_CACHE_MS,
      ),
      apiTokens: new TtlCache(CREDENTIAL_CACHE_MS, 10_000),
      userProjects: new TtlCache(CREDENTIAL_CACHE_MS, 10_000),
    };
  }
  return holder[cachesKey];
}

/** Forgets cached credentials (after a revocation in this process, and in tests). */
export function forgetCachedCredentials(): void {
  const { ingestKeys, unknownKeys, apiTokens, userProjects } = caches();
  ingestKeys.invalidate();
  unknownKeys.clear();
  apiTokens.clear();
  userProjects.clear();
}

/** Loads every live ingest key at server start, and keeps them fresh (IngestKeyDirectory.keepLoaded). */
export function keepIngestKeysLoaded(): Promise<void> {
  return caches().ingestKeys.keepLoaded();
}

/** Whether any project lets pages of `origin` send events (answers a CORS preflight). */
export function originMaySendEvents(origin: string): Promise<boolean> {
  return caches().ingestKeys.anyAllows(origin);
}

/** The credential a request presents: `Authorization: Bearer …` or `X-API-Key: …`. */
export function presentedCredential(request: Request): string | undefined {
  const header = request.headers.get("authorization");
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  return request.headers.get("x-api-key")?.trim() || undefined;
}

/** Hashes of ingest keys that were held (bounded): the key's SHA-256 once, not per request. */
const heldKeyHashes = new Map<string, string>();
const HELD_KEY_HASHES_MAX = 10_000;

/**
 * The ingest principal of a request whose key the directory holds, without a promise or a
 * store: the ingest route's path. Undefined for anything else (no key, another kind, a key
 * not held): `authorize` then decides, with its errors.
 */
export function heldIngestPrincipal(request: Request): Principal | undefined {
  const credential = presentedCredential(request);
  if (!credential || tokenKind(credential) !== "ingest") return undefined;
  let hash = heldKeyHashes.get(credential);
  const known = hash !== undefined;
  hash ??= hashToken(credential);
  const grant = caches().ingestKeys.heldGrant(hash);
  if (!grant) return undefined;
  if (!known) {
    // only keys that were live are remembered: made-up keys cannot fill the map
    if (heldKeyHashes.size >= HELD_KEY_HASHES_MAX) heldKeyHashes.clear();
    heldKeyHashes.set(credential, hash);
  }
  return { kind: "ingest", ...grant, keyId: hash.slice(0, 16) };
}

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The header (API clients) and cookie (the dashboard's project switcher) that pick a project. */
export const PROJECT_HEADER = "x-pulse-project";
export const PROJECT_COOKIE = "pulse_project";

function cookieValue(headers: Headers, name: string): string | undefined {
  for (const part of (headers.get("cookie") ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

/** The projects a signed-in user may open, briefly cached (a membership change takes effect within 5 s). */
export function projectsOf(userId: string, role: Role): Promise<string[]> {
  return caches().userProjects.get(`${userId}\u0000${role}`, async () =>
    (await projectsOfUser(userId, role)).map((project) => project.id),
  );
}

/**
 * The project a signed-in user's request acts on: the one it names (X-Pulse-Project, else
 * the dashboard's cookie), else the default project if they are in it, else their first.
 * A project they are not in is refused; so is a request by someone in no project.
 */
export async function projectChoice(
  headers: Headers,
  userId: string,
  role: Role,
): Promise<{ project: string | undefined; projects: string[] }> {
  const projects = await projectsOf(userId, role);
  const named = headers.get(PROJECT_HEADER) ?? undefined;
  const wanted = named ?? cookieValue(headers, PROJECT_COOKIE);
  if (wanted !== undefined && projects.includes(wanted)) return { project: wanted, projects };
  // a header is an explicit request: refused; a stale cookie falls back to a project they have
  if (named !== undefined) throw new AppError("forbidden", `You are not a member of project ${named}`);
  return { project: projects.includes(DEFAULT_PROJECT_ID) ? DEFAULT_PROJECT_ID : projects[0], projects };
}

async function chosenProject(request: Request, userId: string, role: Role): Promise<string> {
  const { project } = await projectChoice(request.headers, userId, role);
  if (project === undefined) throw new AppError("forbidden", "You are not a member of any project");
  return project;
}

/**
 * Resolves and checks the caller: 401 unauthorized without valid credentials, 403 forbidden
 * for a role or kind that may not, 403 cross_site_request for a cookie-authenticated change
 * sent from another site (CSRF).
 */
export async function authorize(access: RouteAccess, request: Request): Promise<Principal> {
  if (access === "public") return { kind: "anonymous" };
  const credential = presentedCredential(request);
  if (access === "ingest") {
    if (!credential || tokenKind(credential) !== "ingest") {
      throw new AppError(
        "unauthorized",
        "An ingest key is required: send it as Authorization: Bearer <key> or X-API-Key: <key>",
      );
    }
    const hash = hashToken(credential);
    const grant = await caches().ingestKeys.grantOf(hash);
    if (!grant) throw new AppError("unauthorized", "The ingest key is unknown or revoked");
    return { kind: "ingest", ...grant, keyId: hash.slice(0, 16) };
  }
  let principal: Principal;
  if (credential) {
    if (tokenKind(credential) !== "api") {
      throw new AppError("unauthorized", "This route takes a personal API token or a signed-in session");
    }
    const hash = hashToken(credential);
    const owner = await caches().apiTokens.get(hash, () => findApiTokenUser(hash, new Date()));
    if (!owner) throw new AppError("unauthorized", "The API token is unknown, revoked or expired");
    // a token acts on its own project only
    const named = request.headers.get(PROJECT_HEADER);
    if (named !== null && named !== owner.projectId)
      throw new AppError("forbidden", `This token is for project ${owner.projectId}, not ${named}`);
    // someone taken out of the project loses their tokens for it too
    if (!(await projectsOf(owner.userId, owner.role)).includes(owner.projectId))
      throw new AppError("forbidden", `You are no longer a member of project ${owner.projectId}`);
    principal = {
      kind: "user",
      userId: owner.userId,
      email: owner.email,
      role: owner.role,
      via: "token",
      projectId: owner.projectId,
    };
  } else {
    // loaded at the first request with no token: a process serving only ingest never loads
    // the sign-in library (better-auth, its database adapter), whose code and strings every
    // full GC would otherwise mark again (docs/performance.md, session 12)
    const { sessionUser } = await import("./server");
    const user = await sessionUser(request.headers);
    if (!user) throw new AppError("unauthorized", "Sign in, or send a personal API token");
    if (UNSAFE_METHODS.has(request.method)) {
      const origin = request.headers.get("origin");
      if (!origin || !ownOrigins(request).has(origin)) {
        throw new AppError("cross_site_request", "A change sent from another site is refused");
      }
    }
    principal = {
      kind: "user",
      userId: user.id,
      email: user.email,
      role: user.role,
      via: "session",
      projectId: await chosenProject(request, user.id, user.role),
    };
  }
  if (ROLE_RANK[principal.role] < ROLE_RANK[access]) {
    throw new AppError("forbidden", `This needs the ${access} role; you have ${principal.role}`);
  }
  return principal;
}
