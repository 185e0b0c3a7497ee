import { randomUUID } from "node:crypto";
import { hash } from "@node-rs/argon2";
import postgres from "postgres";
import { newToken } from "@/lib/security/tokens";

/** Credentials a test stack hands its tests: an ingest key per project and a token per role. */
export interface TestCredentials {
  /** An ingest key of the default project. */
  ingestKey: string;
  /** An ingest key of another project ("test-other-<run>"). */
  otherProjectKey: string;
  tokens: { admin: string; member: string; viewer: string };
  /** A member of the other project only, and its project's id. */
  otherProject: { id: string; memberToken: string };
  /** Users who sign in with a password (browser tests): an admin, and a viewer. */
  signIn: { email: string; password: string };
  viewerSignIn: { email: string; password: string };
}

/**
 * Made straight in the database (as `npm run keys` would), so each suite has its own users and
 * keys whatever earlier runs left behind.
 */
export async function provisionCredentials(databaseUrl: string, runId: string): Promise<TestCredentials> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    const otherProject = `test-other-${runId}`;
    await sql`insert into projects (id, name) values (${otherProject}, 'Another project') on conflict do nothing`;
    const ingestKey = async (projectId: string) => {
      const { token, prefix, hash: keyHash } = newToken("ingest");
      await sql`insert into ingest_keys (project_id, name, prefix, key_hash)
                values (${projectId}, ${`test ${runId}`}, ${prefix}, ${keyHash})`;
      return token;
    };
    const user = async (role: "admin" | "member" | "viewer", password?: string, projectId = "default") => {
      const id = randomUUID();
      const email = `${role}-${projectId === "default" ? "" : "other-"}${runId}@test.example`;
      await sql`insert into auth_users (id, name, email, role) values (${id}, ${role}, ${email}, ${role})`;
      await sql`insert into project_members (project_id, user_id) values (${projectId}, ${id})`;
      if (password) {
        await sql`insert into auth_accounts (id, account_id, provider_id, user_id, password)
                  values (${randomUUID()}, ${id}, 'credential', ${id}, ${await hash(password)})`;
      }
      const { token, prefix, hash: tokenHash } = newToken("api");
      await sql`insert into api_tokens (user_id, project_id, name, prefix, token_hash)
                values (${id}, ${projectId}, 'tests', ${prefix}, ${tokenHash})`;
      return { token, email };
    };
    const password = `test-password-${runId}`;
    const admin = await user("admin", password);
    const viewer = await user("viewer", password);
    return {
      ingestKey: await ingestKey("default"),
      otherProjectKey: await ingestKey(otherProject),
      tokens: {
        admin: admin.token,
        member: (await user("member")).token,
        viewer: viewer.token,
      },
      otherProject: { id: otherProject, memberToken: (await user("member", undefined, otherProject)).token },
      signIn: { email: admin.email, password },
      viewerSignIn: { email: viewer.email, password },
    };
  } finally {
    await sql.end();
  }
}
