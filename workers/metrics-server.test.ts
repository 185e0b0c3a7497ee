import { afterEach, describe, expect, it } from "vitest";
import { createLifecycle, type LifecycleState } from "./lifecycle";
import { createMetricsServer, type HealthSource, type MetricsServer } from "./metrics-server";

const redisAway = { stores: "redis reconnecting", processor: "ok" };
const allOk = { stores: "ok", processor: "ok" };

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function get(source: HealthSource, path: string) {
  server = createMetricsServer(source, { port: 0 });
  await server.start();
  const response = await fetch(`http://127.0.0.1:${server.port() ?? 0}${path}`);
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

const source = (state: LifecycleState, checks: Record<string, string>): HealthSource => ({
  state: () => state,
  health: async () => checks,
});

describe("the metrics server's probes", () => {
  it.each<[string, LifecycleState, Record<string, string>, number]>([
    ["/healthz/live", "running", allOk, 200],
    ["/livez", "running", allOk, 200],
    // a dependency away is no reason to restart the worker
    ["/healthz/live", "running", redisAway, 200],
    ["/healthz/live", "starting", allOk, 503],
    ["/healthz/live", "stopping", allOk, 503],
    ["/healthz/ready", "running", allOk, 200],
    ["/readyz", "running", allOk, 200],
    ["/healthz", "running", allOk, 200],
    ["/healthz/ready", "running", redisAway, 503],
    ["/readyz", "running", redisAway, 503],
    ["/healthz", "running", redisAway, 503],
    ["/healthz/ready", "stopping", allOk, 503],
    ["/healthz/ready?verbose=1", "running", allOk, 200],
  ])("%s when %s with %o answers %i", async (path, state, checks, status) => {
    const response = await get(source(state, checks), path);
    expect(response.status).toBe(status);
  });

  it("names the failing checks when not ready", async () => {
    const response = await get(source("running", redisAway), "/healthz/ready");
    expect(response.body).toEqual({ status: "degraded", state: "running", checks: redisAway });
  });

  it("says the state when live", async () => {
    const response = await get(source("running", redisAway), "/healthz/live");
    expect(response.body).toEqual({ status: "ok", state: "running" });
  });

  it.each(["/healthz/other", "/healthzz", "/"])("answers 404 at %s", async (path) => {
    expect((await get(source("running", allOk), path)).status).toBe(404);
  });
});

describe("the lifecycle behind them", () => {
  // run() installs SIGTERM/SIGINT handlers that would keep this test process from stopping
  const signals = ["SIGTERM", "SIGINT"] as const;
  const before = signals.map((signal) => new Set(process.listeners(signal)));
  afterEach(() => {
    signals.forEach((signal, index) => {
      for (const listener of process.listeners(signal)) {
        if (!before[index]?.has(listener)) process.off(signal, listener);
      }
    });
  });

  it("is live once every component started, and reports a hung check as failing", async () => {
    const lifecycle = createLifecycle(
      [
        {
          name: "stores",
          start: async () => undefined,
          stop: async () => undefined,
          healthcheck: () => new Promise(() => undefined),
        },
        {
          name: "processor",
          start: async () => undefined,
          stop: async () => undefined,
          healthcheck: async () => undefined,
        },
      ],
      1_000,
      50,
    );
    expect(lifecycle.state()).toBe("starting");
    await lifecycle.run();
    expect(lifecycle.state()).toBe("running");
    expect(await lifecycle.health()).toEqual({ stores: "no answer within 50 ms", processor: "ok" });
  });
});
