import { createServer, type Server, type ServerResponse } from "node:http";
import { getEnv } from "@/lib/env";
import { logger } from "@/lib/logger";
import { registry } from "@/lib/metrics";
import type { Component, Lifecycle } from "./lifecycle";

/** What the probes ask of the worker: its lifecycle state and its components' checks. */
export type HealthSource = Pick<Lifecycle, "state" | "health">;

export interface MetricsServer extends Component {
  /** The port listened on once started (METRICS_PORT, or a free one when it was taken). */
  port(): number | undefined;
}

const LIVE_PATHS = new Set(["/healthz/live", "/livez"]);
// /healthz is kept, and means readiness, for the probes and scripts that already use it
const READY_PATHS = new Set(["/healthz/ready", "/readyz", "/healthz"]);

/**
 * /metrics for Prometheus and the probes for orchestrators, on METRICS_PORT:
 * - liveness (/healthz/live, /livez): 200 while the event loop answers and the components
 *   are started, so an orchestrator restarts a hung or stopping worker, never one that
 *   only waits for Redis or PostgreSQL to come back;
 * - readiness (/healthz/ready, /readyz, /healthz): 200 only when every check passes, else 503
 *   with the checks (each "ok" or why not) as JSON.
 */
export function createMetricsServer(source: HealthSource, options: { port?: number } = {}): MetricsServer {
  let server: Server | undefined;
  const boundPort = () => {
    const address = server?.address();
    return typeof address === "object" && address ? address.port : undefined;
  };
  const listen = (port: number) =>
    new Promise<Server>((resolve, reject) => {
      const candidate = createServer((request, response) => {
        respond(request.url ?? "/", response).catch((error: unknown) => {
          logger.error({ err: error, url: request.url }, "metrics_request_failed");
          response.statusCode = 500;
          response.end();
        });
      });
      candidate.once("error", reject);
      candidate.listen(port, "0.0.0.0", () => resolve(candidate));
    });

  const sendJson = (response: ServerResponse, statusCode: number, body: unknown) => {
    response.statusCode = statusCode;
    response.setHeader("Content-Type", "application/json");
    response.end(JSON.stringify(body));
  };

  const respond = async (url: string, response: ServerResponse) => {
    const { pathname } = new URL(url, "http://localhost");
    if (pathname === "/metrics") {
      response.setHeader("Content-Type", registry.contentType);
      response.end(await registry.metrics());
    } else if (LIVE_PATHS.has(pathname)) {
      const state = source.state();
      sendJson(response, state === "running" ? 200 : 503, {
        status: state === "running" ? "ok" : "down",
        state,
      });
    } else if (READY_PATHS.has(pathname)) {
      const checks = await source.health();
      const state = source.state();
      const ok = state === "running" && Object.values(checks).every((value) => value === "ok");
      sendJson(response, ok ? 200 : 503, { status: ok ? "ok" : "degraded", state, checks });
    } else {
      response.statusCode = 404;
      response.end();
    }
  };

  return {
    name: "metrics-server",
    port: boundPort,
    async start() {
      const port = options.port ?? getEnv().METRICS_PORT;
      try {
        server = await listen(port);
      } catch (error) {
        // Several workers on one host: the second takes a free port instead of failing.
        if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
        server = await listen(0);
        logger.warn({ wanted: port }, "metrics_port_in_use");
      }
      logger.info({ port: boundPort() }, "metrics_server_listening");
    },
    async stop() {
      const current = server;
      if (!current) return;
      await new Promise<void>((resolve) => current.close(() => resolve()));
    },
  };
}
