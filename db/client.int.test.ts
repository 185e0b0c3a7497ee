/**
 * The pool reconnects promptly after an outage, however many connects failed during it.
 * A gate in front of the real PostgreSQL refuses connections (nothing listens on its port)
 * while queries keep failing, then opens: the next query must succeed within a couple of
 * seconds, not after postgres.js's default backoff (up to 20 s once enough connects failed).
 */
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "@/tests/support/wait-for";
import { createPool, reconnectDelaySeconds, type Sql } from "./client";

/** Forwards a local port to PostgreSQL while open; refuses connections while closed. */
function gate(port: number) {
  let server: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  return {
    async open() {
      server = net.createServer((client) => {
        const upstream = net.connect({ host: "127.0.0.1", port: 5432 });
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on("close", () => sockets.delete(socket));
          socket.on("error", () => socket.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => server?.listen(port, "127.0.0.1", resolve));
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = undefined;
    },
  };
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("database pool after an outage", () => {
  let pool: Sql | undefined;
  afterEach(async () => {
    await pool?.end({ timeout: 1 });
  });

  it("waits at most a second between connects, whatever the number of failures", () => {
    for (const failures of [0, 1, 5, 10, 30, 1000]) {
      const delay = reconnectDelaySeconds(failures);
      expect(delay).toBeGreaterThan(0);
      expect(delay).toBeLessThanOrEqual(1);
    }
  });

  it("answers within 2 s of PostgreSQL being reachable again after 40 failed connects", async () => {
    const port = await freePort();
    const door = gate(port);
    pool = createPool(`postgres://postgres@127.0.0.1:${port}/postgres`, {
      max: 4,
      connectTimeoutMs: 2_000,
      statementTimeoutMs: 5_000,
    });
    const live = pool;
    await door.open();
    await live`select 1`; // the pool's connections have been open once, as in production
    await door.close();
    let failures = 0;
    await waitFor(
      async () => {
        await live`select 1`.then(
          () => undefined,
          () => failures++,
        );
        return failures >= 40;
      },
      { timeoutMs: 60_000, intervalMs: 0, what: "40 failed queries while PostgreSQL is unreachable" },
    );
    await door.open();
    const reopened = performance.now();
    await waitFor(
      () =>
        live`select 1`.then(
          () => true,
          () => false,
        ),
      { timeoutMs: 30_000, intervalMs: 50, what: "a query to succeed again" },
    );
    const waitedMs = performance.now() - reopened;
    expect(waitedMs).toBeLessThan(2_000);
    await door.close();
  });
});
