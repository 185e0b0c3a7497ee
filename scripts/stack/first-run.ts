/**
 * `npm run up`'s first-run step, after migrations: the local stack's credentials, made once
 * and kept in .local/ (mode 0600, never committed):
 * - .local/ingest-key: an ingest key of the default project (npm run simulate reads it);
 * - the first admin: ADMIN_EMAIL / ADMIN_PASSWORD when set, else admin@pulse.local with a
 *   random password, printed here once and kept in .local/first-admin.txt.
 * Does nothing that exists already.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { closeDb } from "@/db/client";
import { anyUserExists } from "@/db/queries/credentials";
import { getEnv } from "@/lib/env";
import { createIngestKey, ensureFirstAdmin, ensureUser } from "@/lib/services/auth/credentials";

const LOCAL = path.resolve(import.meta.dirname, "../../.local");

try {
  await mkdir(LOCAL, { recursive: true });
  const keyFile = path.join(LOCAL, "ingest-key");
  if (!existsSync(keyFile)) {
    const { key } = await createIngestKey({ projectId: "default", name: "local (npm run up)" });
    await writeFile(keyFile, `${key}\n`, { mode: 0o600 });
    console.log(`up: an ingest key of the default project is in ${path.relative(process.cwd(), keyFile)}`);
  }
  const env = getEnv();
  const admin = await ensureFirstAdmin(env);
  if (admin === "created") console.log(`up: first admin ${env.ADMIN_EMAIL} created from ADMIN_EMAIL`);
  if (admin === "not configured" && !(await anyUserExists())) {
    const email = "admin@pulse.local";
    const password = randomBytes(12).toString("base64url");
    await ensureUser({ email, role: "admin", password });
    await writeFile(path.join(LOCAL, "first-admin.txt"), `${email}\n${password}\n`, { mode: 0o600 });
    console.log(`up: first admin created. Sign in as ${email} with password ${password}`);
    console.log("up: (also in .local/first-admin.txt; add people with npm run keys -- user ...)");
  }
} finally {
  await closeDb();
}
