import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { provisionCredentials, type TestCredentials } from "../support/credentials";
import { startTestStack } from "../support/stack";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    stackEnv: Record<string, string>;
    credentials: TestCredentials;
  }
}

/** One web app and one processor for the whole integration suite, on their own topics and keys. */
export default async function setup(project: TestProject) {
  const runId = randomBytes(4).toString("hex");
  const stack = await startTestStack(runId, 3100);
  project.provide("baseUrl", stack.baseUrl);
  project.provide("stackEnv", stack.env);
  project.provide("credentials", await provisionCredentials(stack.env.DATABASE_URL ?? "", runId));
  return async () => {
    await stack.stop();
  };
}
