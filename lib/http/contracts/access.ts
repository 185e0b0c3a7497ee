import { z } from "zod";
import { roles } from "@/db/schema/auth";
import { defineContract } from "../contract";
import { isoTime } from "./shapes";

/** Contracts of credentials: projects' ingest keys (admins) and personal API tokens (docs/security.md). */

const ingestKey = z.object({
  id: z.string(),
  project_id: z.string(),
  name: z.string(),
  prefix: z.string().meta({ description: "The key's first characters, to tell keys apart" }),
  created_at: isoTime,
  revoked_at: isoTime.nullable(),
});

export const accessSchemas = { IngestKey: ingestKey };

export const listIngestKeys = defineContract({
  name: "keys.list",
  access: "admin",
  method: "GET",
  path: "/api/keys",
  summary: "Ingest keys of every project (never the keys themselves)",
  response: { status: 200, description: "the keys", schema: z.object({ data: z.array(ingestKey) }) },
});

export const createIngestKey = defineContract({
  name: "keys.create",
  access: "admin",
  method: "POST",
  path: "/api/keys",
  summary: "A new ingest key; the answer is the only time the key is shown",
  body: z.strictObject({
    name: z.string().trim().min(1).max(100),
    project_id: z.string().min(1).max(100).default("default"),
  }),
  response: {
    status: 201,
    description: "the key, once",
    schema: z.object({ key: z.string(), ingest_key: ingestKey }),
  },
  errors: ["not_found"],
});

export const revokeIngestKey = defineContract({
  name: "keys.revoke",
  access: "admin",
  method: "DELETE",
  path: "/api/keys/{id}",
  summary: "Revokes an ingest key: requests with it get 401 within seconds",
  params: z.strictObject({ id: z.uuid() }),
  resource: "ingest key",
  response: { status: 204, description: "revoked" },
  errors: ["not_found"],
});

export const createApiToken = defineContract({
  name: "tokens.create",
  access: "viewer",
  method: "POST",
  path: "/api/tokens",
  summary: "A personal API token for the caller, acting with the caller's role; shown once",
  body: z.strictObject({
    name: z.string().trim().min(1).max(100),
    expires_in_days: z.number().int().min(1).max(365).optional(),
  }),
  response: {
    status: 201,
    description: "the token, once",
    schema: z.object({ token: z.string(), prefix: z.string(), expires_at: isoTime.nullable() }),
  },
});

export const whoAmI = defineContract({
  name: "me.get",
  access: "viewer",
  method: "GET",
  path: "/api/me",
  summary: "The caller: email, role, the project this request acts on and the projects they may open",
  response: {
    status: 200,
    description: "the caller",
    schema: z.object({
      email: z.string(),
      role: z.enum(roles),
      via: z.enum(["session", "token"]),
      project: z.string(),
      projects: z.array(z.string()),
    }),
  },
  deadlineMs: false,
});
