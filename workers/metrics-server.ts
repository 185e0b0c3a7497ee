import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { getEnv } from "@/lib/env";
import { logger } from "@/lib/logger";
import { registry } from "@/lib/metrics";
import type { Component } from "./lifecycle";

/** /metrics for Prometheus and /healthz for orchestrators, on METRICS_PORT. */
export function createMetricsServer(health: () => Promise<Record<string, string>>): Component {
  let server: Server | undefined;
  const listen = (port: number) =>
    new Promise<Server>((resolve, reject) => {
      const candidate = createServer((request, response) => {
        void respond(request.url ?? "/", response);
      });
      candidate.once("error", reject);
      candidate.listen(port, "0.0.0.0", () => resolve(candidate));
    });

  const respond = async (url: string, response: ServerResponse) => {
    if (url.startsWith("/metrics")) {
      response.setHeader("Content-Type", registry.contentType);
      response.end(await registry.metrics());
    } else if (url.startsWith("/healthz")) {
      const checks = await health();
      const ok = Object.values(checks).every((value) => value === "ok");
      response.statusCode = ok ? 200 : 503;
      response.setHeader("Content-Type", "application/json");
      response.end(JSON.stringify({ status: ok ? "ok" : "degraded", checks }));
    } else {
      response.statusCode = 404;
      response.end();
    }
  };

  return {
    name: "metrics-server",
    async start() {
      const port = getEnv().METRICS_PORT;
      try {
        server = await listen(port);
      } catch (error) {
        // Several workers on one host: the second takes a free port instead of failing.
        if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
        server = await listen(0);
        logger.warn({ wanted: port }, "metrics_port_in_use");
      }
      logger.info({ port: (server.address() as AddressInfo).port }, "metrics_server_listening");
    },
    async stop() {
      const current = server;
      if (!current) return;
      await new Promise<void>((resolve) => current.close(() => resolve()));
    },
  };
}
