import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { serveMetricsOn } from "./metrics-cluster";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(port: number, render = () => Promise.resolve("up 1\n")) {
  const server = await serveMetricsOn(port, render, "text/plain; version=0.0.4");
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("the internal metrics listener", () => {
  it("answers GET /metrics without a token, and 404 elsewhere", async () => {
    const base = await serve(0);
    const scrape = await fetch(`${base}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get("content-type")).toContain("text/plain");
    expect(await scrape.text()).toBe("up 1\n");
    expect((await fetch(`${base}/api/events`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: "POST" })).status).toBe(404);
  });

  it("takes a free port when its port is taken", async () => {
    const first = await serve(0);
    const port = Number(new URL(first).port);
    const second = await serve(port);
    expect(second).not.toBe(first);
    expect((await fetch(`${second}/metrics`)).status).toBe(200);
  });

  it("answers 500 when the metrics cannot be collected", async () => {
    const base = await serve(0, () => Promise.reject(new Error("a process did not answer")));
    expect((await fetch(`${base}/metrics`)).status).toBe(500);
  });
});
