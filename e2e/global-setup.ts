import { randomBytes } from "node:crypto";
import { startTestStack } from "../tests/support/stack";

/** The built app and a processor on port E2E_PORT (3200), on their own topics and Redis keys. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const port = Number(process.env.E2E_PORT ?? 3200);
  const stack = await startTestStack(`e2e${randomBytes(3).toString("hex")}`, port);
  return () => stack.stop();
}
