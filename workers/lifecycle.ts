import { logger } from "@/lib/logger";

/** A part of a worker process; started in order, stopped in reverse order. */
export interface Component {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Throws when the component is unhealthy. */
  healthcheck?(): Promise<void>;
}

export interface Lifecycle {
  run(): Promise<void>;
  shutdown(reason: string): Promise<void>;
  health(): Promise<Record<string, "ok" | string>>;
}

/**
 * Starts the components in order and stops them in reverse order on SIGTERM/SIGINT:
 * HTTP first, then consumers, then producers, then the stores. Stopping is idempotent,
 * bounded by a timeout, and exits non-zero when anything failed.
 */
export function createLifecycle(components: Component[], stopTimeoutMs = 30_000): Lifecycle {
  const started: Component[] = [];
  let stopping: Promise<void> | undefined;

  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ reason }, "worker_stopping");
      let failed = false;
      const timer = setTimeout(() => {
        logger.error({ timeout_ms: stopTimeoutMs }, "worker_stop_timeout");
        process.exit(1);
      }, stopTimeoutMs);
      timer.unref();
      for (const component of [...started].reverse()) {
        try {
          await component.stop();
          logger.info({ component: component.name }, "component_stopped");
        } catch (error) {
          failed = true;
          logger.error({ err: error, component: component.name }, "component_stop_failed");
        }
      }
      clearTimeout(timer);
      logger.info({ failed }, "worker_stopped");
      process.exitCode = failed || reason === "crash" ? 1 : 0;
    })();
    return stopping;
  };

  return {
    shutdown,
    async run() {
      process.once("SIGTERM", () => void shutdown("SIGTERM"));
      process.once("SIGINT", () => void shutdown("SIGINT"));
      for (const component of components) {
        await component.start();
        started.push(component);
        logger.info({ component: component.name }, "component_started");
      }
    },
    async health() {
      const entries = await Promise.all(
        started.map(async (component) => {
          try {
            await component.healthcheck?.();
            return [component.name, "ok"] as const;
          } catch (error) {
            return [component.name, error instanceof Error ? error.message : String(error)] as const;
          }
        }),
      );
      return Object.fromEntries(entries);
    },
  };
}
