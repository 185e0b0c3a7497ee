import { unavailableDependency } from "@/lib/http/dependency-errors";
import { logger } from "@/lib/logger";
import { withTimeout } from "@/lib/timeout";

/** A part of a worker process; started in order, stopped in reverse order. */
export interface Component {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Throws when the component is unhealthy. */
  healthcheck?(): Promise<void>;
}

/** "running" from the moment every component started until shutdown begins. */
export type LifecycleState = "starting" | "running" | "stopping";

export interface Lifecycle {
  run(): Promise<void>;
  shutdown(reason: string): Promise<void>;
  /** Liveness: whether the components were all started and none is being stopped. */
  state(): LifecycleState;
  /** Readiness: each started component's healthcheck, "ok" or why not (a dependency away). */
  health(): Promise<Record<string, "ok" | string>>;
}

/**
 * Starts the components in order and stops them in reverse order on SIGTERM/SIGINT:
 * HTTP first, then consumers, then producers, then the stores. Stopping is idempotent,
 * bounded by a timeout, and exits non-zero when anything failed.
 */
export function createLifecycle(
  components: Component[],
  stopTimeoutMs = 30_000,
  healthcheckTimeoutMs = 2_000,
): Lifecycle {
  const started: Component[] = [];
  let inStart: Component | undefined;
  let stopping: Promise<void> | undefined;
  let state: LifecycleState = "starting";

  const shutdown = (reason: string): Promise<void> => {
    state = "stopping";
    stopping ??= (async () => {
      const interruptedStart = inStart;
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
      if (interruptedStart) {
        // TRICKY: a component that was starting (a consumer waiting to join its group) is not
        // stopped and would keep the process alive; dropping it is as safe as a SIGKILL.
        logger.warn({ component: interruptedStart.name }, "component_start_abandoned");
        process.exit();
      }
    })();
    return stopping;
  };

  return {
    shutdown,
    async run() {
      process.once("SIGTERM", () => void shutdown("SIGTERM"));
      process.once("SIGINT", () => void shutdown("SIGINT"));
      // TRICKY: while PostgreSQL shuts down, a client library can reject a promise nobody
      // awaits with the dropped connection (a CI run saw ECONNRESET kill the processor in
      // the PostgreSQL fault test). Such a loss is already handled where it matters (a failed
      // batch write restarts the consumer from the stored offsets): log it and go on. Any
      // other unhandled rejection is a bug: stop in order, as a crash.
      process.on("unhandledRejection", (reason) => {
        if (unavailableDependency(reason)) {
          logger.warn({ err: reason }, "unhandled_dropped_connection");
          return;
        }
        logger.fatal({ err: reason }, "unhandled_rejection");
        void shutdown("crash");
      });
      for (const component of components) {
        if (stopping) return;
        inStart = component;
        try {
          await component.start();
        } finally {
          inStart = undefined;
        }
        started.push(component);
        logger.info({ component: component.name }, "component_started");
      }
      if (!stopping) state = "running";
    },
    state: () => state,
    async health() {
      const entries = await Promise.all(
        started.map(async (component) => {
          try {
            // a probe must answer even when a check hangs (a store that does not reply)
            if (component.healthcheck) await withTimeout(component.healthcheck(), healthcheckTimeoutMs);
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
