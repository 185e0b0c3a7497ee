import { randomBytes } from "node:crypto";
import { startTestStack } from "../tests/support/stack";

/** The built app and a processor on port 3200, on their own topics and Redis keys. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const stack = await startTestStack(`e2e${randomBytes(3).toString("hex")}`, 3200);
  return () => stack.stop();
}
