import { randomBytes } from "node:crypto";
import http from "node:http";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { provisionCredentials } from "../tests/support/credentials";
import { startTestStack } from "../tests/support/stack";
import { CREDENTIALS_FILE, STACK_ENV_FILE, STORAGE_STATE_FILE } from "./support/auth";

/**
 * The built app and a processor on port E2E_PORT (3200), on their own topics and Redis keys;
 * users and keys of their own; an admin signed in through the sign-in endpoint, whose
 * session cookie every page test starts with (Playwright's storageState).
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const port = Number(process.env.E2E_PORT ?? 3200);
  const runId = `e2e${randomBytes(3).toString("hex")}`;
  const stack = await startTestStack(runId, port);
  let credentials: Awaited<ReturnType<typeof provisionCredentials>>;
  let signedIn: string[];
  const origin = `http://127.0.0.1:${port}`;
  try {
    credentials = await provisionCredentials(stack.env.DATABASE_URL ?? "", runId);
    signedIn = await signInOverHttp(origin, credentials.signIn);
  } catch (error) {
    // a failed set-up must not leave its stack holding the port
    await stack.stop();
    throw error;
  }
  const cookies = signedIn.map((header) => {
    const [pair = ""] = header.split(";");
    const at = pair.indexOf("=");
    return {
      name: pair.slice(0, at),
      value: pair.slice(at + 1),
      domain: "127.0.0.1",
      path: "/",
      expires: Math.floor(Date.now() / 1000) + 24 * 3600,
      httpOnly: true,
      secure: false,
      sameSite: "Lax" as const,
    };
  });
  await mkdir(path.dirname(STORAGE_STATE_FILE), { recursive: true });
  await writeFile(STORAGE_STATE_FILE, JSON.stringify({ cookies, origins: [] }));
  await writeFile(CREDENTIALS_FILE, JSON.stringify(credentials));
  await writeFile(STACK_ENV_FILE, JSON.stringify(stack.env));
  return () => stack.stop();
}

/**
 * POSTs the sign-in with node:http, so the request carries exactly the Origin a browser on the
 * site would send (the test runner's fetch was seen to send another), and returns its cookies.
 */
function signInOverHttp(origin: string, body: { email: string; password: string }): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${origin}/api/auth/sign-in/email`,
      { method: "POST", headers: { "Content-Type": "application/json", Origin: origin } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          if (response.statusCode === 200) resolve(response.headers["set-cookie"] ?? []);
          else
            reject(
              new Error(
                `sign-in for the browser tests failed: ${response.statusCode} ${Buffer.concat(chunks).toString()}`,
              ),
            );
        });
      },
    );
    request.on("error", reject);
    request.end(JSON.stringify(body));
  });
}
