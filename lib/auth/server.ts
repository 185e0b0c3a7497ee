import "server-only";
import { hash, verify } from "@node-rs/argon2";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { getDb } from "@/db/client";
import { accounts, roles, sessions, users, verifications, type Role } from "@/db/schema";
import { getEnv } from "../env";
import { ownOrigins } from "../http/client-address";
import { COOKIE_PREFIX } from "./cookies";
import { configuredSecret } from "../security/secrets";
import { setUserRole } from "@/db/queries/credentials";

/** Session cookies last a week and are renewed once a day while in use. */
const SESSION_SECONDS = 7 * 24 * 3600;

function createAuth() {
  const env = getEnv();
  return betterAuth({
    appName: "Pulse",
    baseURL: env.PUBLIC_BASE_URL,
    basePath: "/api/auth",
    secret: configuredSecret("AUTH_SECRET"),
    database: drizzleAdapter(getDb(), {
      provider: "pg",
      schema: { user: users, session: sessions, account: accounts, verification: verifications },
    }),
    emailAndPassword: {
      enabled: true,
      // accounts are made by admins (npm run keys -- user, or the Settings page), not by sign-up
      autoSignIn: false,
      minPasswordLength: 12,
      password: {
        // argon2id with the library's defaults (19 MiB, 2 passes: OWASP's minimum)
        hash: (password) => hash(password),
        verify: ({ hash: stored, password }) => verify(stored, password),
      },
    },
    user: {
      additionalFields: {
        role: { type: [...roles], required: false, defaultValue: "viewer", input: false },
      },
    },
    session: { expiresIn: SESSION_SECONDS, updateAge: 24 * 3600 },
    // a sign-in must come from a page of this site: the public URL, or the host it was asked on
    // (a cross-site form carries its own Origin, which matches neither)
    trustedOrigins: (request) => (request ? [...ownOrigins(request)] : [env.PUBLIC_BASE_URL]),
    // sign-in attempts are limited per address with Redis in the route (shared by every process)
    rateLimit: { enabled: false },
    advanced: {
      // HttpOnly and SameSite=Lax are better-auth's defaults; Secure follows the public URL's scheme
      useSecureCookies: env.PUBLIC_BASE_URL.startsWith("https://"),
      cookiePrefix: COOKIE_PREFIX,
      ipAddress: { ipAddressHeaders: ["x-forwarded-for"] },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;

const globalKey = Symbol.for("analytics.auth");
type GlobalWithAuth = typeof globalThis & { [globalKey]?: Auth };

/** The better-auth instance of this process. */
export function getAuth(): Auth {
  const holder = globalThis as GlobalWithAuth;
  holder[globalKey] ??= createAuth();
  return holder[globalKey];
}

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/** The signed-in user of a request's session cookie, or null. */
export async function sessionUser(headers: Headers): Promise<SessionUser | null> {
  const session = await getAuth().api.getSession({ headers });
  if (!session) return null;
  const { id, email, name, role } = session.user as typeof session.user & { role?: Role };
  return { id, email, name, role: role ?? "viewer" };
}

/** Creates a user with a password and a role (first admin, admins adding people, tests). */
export async function createUser(input: {
  email: string;
  name: string;
  password: string;
  role: Role;
}): Promise<{ id: string }> {
  const { user } = await getAuth().api.signUpEmail({
    body: { email: input.email.toLowerCase(), name: input.name, password: input.password },
  });
  await setUserRole(user.id, input.role);
  return { id: user.id };
}
