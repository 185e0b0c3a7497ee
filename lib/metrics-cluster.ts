import cluster from "node:cluster";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import client from "prom-client";
import { getEnv } from "./env";
import { logger } from "./logger";

/**
 * Prometheus metrics of a web app that runs as several processes (web/start.ts): a scrape
 * lands on one of them, which asks the cluster's primary for everyone's metrics, summed
 * (prom-client's AggregatorRegistry collects them from each process over IPC).
 */
const REQUEST = "analytics:cluster-metrics-request";
const RESPONSE = "analytics:cluster-metrics-response";
const TIMEOUT_MS = 5_000;

interface MetricsRequest {
  type: typeof REQUEST;
  id: number;
}
interface MetricsResponse {
  type: typeof RESPONSE;
  id: number;
  text?: string;
  error?: string;
}

function isMessage<T extends { type: string }>(message: unknown, type: T["type"]): message is T {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === type;
}

/**
 * In the primary: answers the processes' requests for the summed metrics, and serves them on
 * the internal METRICS_PORT (GET /metrics), which Prometheus scrapes without a token; the web
 * port's /metrics answers only with METRICS_TOKEN.
 */
export function serveClusterMetrics(port: number = getEnv().METRICS_PORT): void {
  const aggregator = new client.AggregatorRegistry();
  cluster.on("message", (worker, message: unknown) => {
    if (!isMessage<MetricsRequest>(message, REQUEST)) return;
    const reply = (response: Omit<MetricsResponse, "type" | "id">) => {
      if (worker.isConnected()) worker.send({ type: RESPONSE, id: message.id, ...response });
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
  serveMetricsOn(port, () => aggregator.clusterMetrics(), aggregator.contentType).then(
    (server) => logger.info({ port: (server.address() as AddressInfo).port }, "web_metrics_listening"),
    // the web app still serves; Prometheus will report the scrape target down
    (error: unknown) => logger.error({ err: error, port }, "web_metrics_listen_failed"),
  );
}

/**
 * An HTTP listener answering GET /metrics with `render()` (404 for anything else) on `port`, or
 * on a free port when it is taken (several processes on one host, as workers do).
 */
export async function serveMetricsOn(
  port: number,
  render: () => Promise<string>,
  contentType: string,
): Promise<Server> {
  const server = createServer((request, response) => {
    const { pathname } = new URL(request.url ?? "/", "http://localhost");
    if (pathname !== "/metrics" || (request.method !== "GET" && request.method !== "HEAD")) {
      response.statusCode = 404;
      response.end();
      return;
    }
    render().then(
      (text) => {
        response.setHeader("Content-Type", contentType);
        response.end(text);
      },
      (error: unknown) => {
        logger.error({ err: error }, "cluster_metrics_failed");
        response.statusCode = 500;
        response.end();
      },
    );
  });
  const listen = (candidate: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(candidate, "0.0.0.0", () => {
        server.off("error", reject);
        resolve();
      });
    });
  try {
    await listen(port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    await listen(0);
    logger.warn({ wanted: port }, "metrics_port_in_use");
  }
  // The primary must not stay alive for this listener alone once its processes are gone.
  server.unref();
  return server;
}

/** In a process of the cluster: lets the primary collect `registry`'s metrics. */
export function joinClusterMetrics(registry: client.Registry): void {
  if (!cluster.isWorker) return;
  new client.AggregatorRegistry(); // registers this process's side of prom-client's protocol
  client.AggregatorRegistry.setRegistries([registry]);
}

let nextRequestId = 0;

/**
 * The whole cluster's metrics in Prometheus text format, or undefined when this process
 * is not part of a cluster (then its own registry is the whole story).
 */
export function readClusterMetrics(): Promise<string> | undefined {
  const send = process.send?.bind(process);
  if (!cluster.isWorker || !send) return undefined;
  const id = nextRequestId++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off("message", onMessage);
      reject(new Error(`no cluster metrics within ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    function onMessage(message: unknown) {
      if (!isMessage<MetricsResponse>(message, RESPONSE) || message.id !== id) return;
      clearTimeout(timer);
      process.off("message", onMessage);
      if (message.text !== undefined) resolve(message.text);
      else reject(new Error(message.error ?? "cluster metrics failed"));
    }
    process.on("message", onMessage);
    send({ type: REQUEST, id } satisfies MetricsRequest);
  });
}
