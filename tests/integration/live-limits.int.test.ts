import { afterAll, describe, expect, it } from "vitest";
import { authHeaders, testClients } from "../support/clients";
import { testEnv } from "../support/stack";
import { waitFor } from "../support/wait-for";

const clients = testClients();
afterAll(() => clients.close());

interface Opened {
  status: number;
  retryAfter: string | null;
  code: string | undefined;
  close: () => void;
}

/** One GET /api/stream on its own connection; a 200 stays open (its greeting read) until closed. */
async function openStream(): Promise<Opened> {
  const controller = new AbortController();
  const response = await fetch(new URL("/api/stream", clients.baseUrl), {
    signal: controller.signal,
    headers: { ...authHeaders("viewer"), Connection: "close" },
  });
  if (response.status === 200) {
    const reader = response.body?.getReader();
    await reader?.read();
    return {
      status: 200,
      retryAfter: null,
      code: undefined,
      close: () => {
        controller.abort();
      },
    };
  }
  const body = (await response.json()) as { error?: { code?: string } };
  return {
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    code: body.error?.code,
    close: () => undefined,
  };
}

describe("live stream caps (LIVE_MAX_CONNECTIONS_PER_CLIENT per process)", () => {
  it("refuses streams over the per-client cap with 429 too_many_streams and Retry-After, and frees places as streams end", async () => {
    const env = testEnv("x", 0);
    const perClient = Number(env.LIVE_MAX_CONNECTIONS_PER_CLIENT ?? 10);
    const processes = Number(env.WEB_PROCESSES ?? 1);
    // every process takes at most perClient streams from this address, however the cluster spreads them
    const capacity = perClient * processes;
    const opened: Opened[] = [];
    try {
      for (let i = 0; i <= capacity; i++) opened.push(await openStream());
      const accepted = opened.filter((entry) => entry.status === 200);
      const refused = opened.filter((entry) => entry.status !== 200);
      expect(accepted.length).toBeLessThanOrEqual(capacity);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      for (const entry of refused) {
        expect(entry).toMatchObject({ status: 429, code: "too_many_streams" });
        expect(Number(entry.retryAfter)).toBeGreaterThan(0);
      }
      for (const entry of opened) entry.close();
      // the servers notice the closed connections and give the places back
      await waitFor(
        async () => {
          const attempts = await Promise.all(Array.from({ length: processes * 2 }, () => openStream()));
          for (const attempt of attempts) attempt.close();
          return attempts.every((attempt) => attempt.status === 200);
        },
        { timeoutMs: 15_000, what: "streams accepted again once the others closed" },
      );
    } finally {
      for (const entry of opened) entry.close();
    }
  });
});
