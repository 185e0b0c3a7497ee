import type { ChildProcess } from "node:child_process";
import { spawnProcessor } from "./stack";

/** Processor children a test starts on its own topics and group; killed when the test ends. */
export class ProcessorFleet {
  private readonly children = new Set<ChildProcess>();

  start(name: string, env: Record<string, string>): ChildProcess {
    const child = spawnProcessor(name, env);
    this.children.add(child);
    child.once("exit", () => this.children.delete(child));
    return child;
  }

  async killHard(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  killAll(): void {
    for (const child of this.children) child.kill("SIGKILL");
  }
}

/** The test stack's environment, moved to topics, group and keys of its own. */
export function isolatedEnv(
  base: Record<string, string>,
  tag: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...base,
    KAFKA_TOPIC_PREFIX: `iso-${tag}.`,
    PROCESSOR_GROUP_ID: `iso-${tag}`,
    REDIS_KEY_PREFIX: `iso-${tag}:`,
    PROCESSOR_SESSION_TIMEOUT_MS: "6000",
    ...extra,
  };
}
