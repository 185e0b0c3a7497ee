import { describe, expect, it, vi } from "vitest";
import { IngestKeyDirectory } from "./ingest-key-directory";

const DEFAULT = { projectId: "default", allowedOrigins: ["https://shop.example"] };

function harness() {
  let now = 0;
  let rows = [{ hash: "h1", ...DEFAULT }];
  let storeUp = true;
  let loads = 0;
  let lookups = 0;
  const directory = new IngestKeyDirectory(
    async () => {
      loads++;
      if (!storeUp) throw new Error("ECONNREFUSED");
      return rows;
    },
    async (hash) => {
      lookups++;
      if (!storeUp) throw new Error("ECONNREFUSED");
      const row = rows.find((candidate) => candidate.hash === hash);
      return row ? { projectId: row.projectId, allowedOrigins: row.allowedOrigins } : null;
    },
    5_000,
    () => now,
  );
  return {
    directory,
    advance: (ms: number) => (now += ms),
    setRows: (next: typeof rows) => (rows = next),
    setStoreUp: (up: boolean) => (storeUp = up),
    counts: () => ({ loads, lookups }),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("IngestKeyDirectory", () => {
  it("answers known keys from memory, loading them once per refresh", async () => {
    const h = harness();
    expect(await h.directory.grantOf("h1")).toEqual(DEFAULT);
    expect(await h.directory.grantOf("h1")).toEqual(DEFAULT);
    expect(h.counts()).toEqual({ loads: 1, lookups: 0 });
  });

  it("drops a revoked key at the next reload", async () => {
    const h = harness();
    await h.directory.grantOf("h1");
    h.setRows([]);
    h.advance(5_000);
    await h.directory.grantOf("h1"); // starts the reload, still answers from memory
    await settle();
    expect(await h.directory.grantOf("h1")).toBeNull();
  });

  it("holds known keys for the synchronous path once loaded; a due reload drops a revoked one", async () => {
    const h = harness();
    expect(h.directory.heldGrant("h1")).toBeUndefined(); // never loaded: ask grantOf
    await h.directory.grantOf("h1");
    expect(h.directory.heldGrant("h1")).toEqual(DEFAULT);
    expect(h.directory.heldGrant("h2")).toBeUndefined(); // not held: grantOf looks it up
    h.setRows([]);
    h.advance(5_000);
    expect(h.directory.heldGrant("h1")).toEqual(DEFAULT); // starts the reload, answers from memory
    await settle();
    expect(h.directory.heldGrant("h1")).toBeUndefined();
    expect(h.counts()).toEqual({ loads: 2, lookups: 0 });
    h.setRows([{ hash: "h1", ...DEFAULT }]);
    h.directory.invalidate();
    expect(h.directory.heldGrant("h1")).toBeUndefined(); // a revocation here: grantOf reloads
  });

  it("keeps accepting the keys it knows while the store is down, and finds new keys directly", async () => {
    const h = harness();
    await h.directory.grantOf("h1");
    h.setStoreUp(false);
    h.advance(60_000);
    expect(await h.directory.grantOf("h1")).toEqual(DEFAULT);
    await settle();
    expect(await h.directory.grantOf("h1")).toEqual(DEFAULT);
    await expect(h.directory.grantOf("h2")).rejects.toThrow("ECONNREFUSED");
    h.setStoreUp(true);
    h.setRows([
      { hash: "h1", ...DEFAULT },
      { hash: "h2", projectId: "other", allowedOrigins: [] },
    ]);
    expect(await h.directory.grantOf("h2")).toEqual({ projectId: "other", allowedOrigins: [] });
  });

  it("knows the page origins any live key's project allows", async () => {
    const h = harness();
    expect(await h.directory.anyAllows("https://shop.example")).toBe(true);
    expect(await h.directory.anyAllows("https://evil.example")).toBe(false);
  });

  it("loaded before its first request, answers known keys without the store", async () => {
    const h = harness();
    await h.directory.keepLoaded();
    h.directory.stopRefreshing();
    h.setStoreUp(false);
    expect(await h.directory.grantOf("h1")).toEqual(DEFAULT);
    expect(h.counts()).toEqual({ loads: 1, lookups: 0 });
  });

  it("kept loaded: retried until a load succeeds, then reloaded every refresh without requests", async () => {
    vi.useFakeTimers();
    const h = harness();
    try {
      h.setStoreUp(false);
      await h.directory.keepLoaded(1000);
      await vi.advanceTimersByTimeAsync(3000);
      expect(h.counts().loads).toBe(4);
      h.setStoreUp(true);
      await vi.advanceTimersByTimeAsync(1000);
      expect(h.counts().loads).toBe(5);
      // a key made now is known at the next reload, though no request asked for it
      h.setRows([
        { hash: "h1", ...DEFAULT },
        { hash: "h2", ...DEFAULT },
      ]);
      await vi.advanceTimersByTimeAsync(5000);
      expect(h.counts().loads).toBe(6);
      h.setStoreUp(false);
      expect(await h.directory.grantOf("h2")).toEqual(DEFAULT);
      expect(h.counts().lookups).toBe(0);
    } finally {
      h.directory.stopRefreshing();
      vi.useRealTimers();
    }
  });

  it("keeps a key made after its last load, found by a lookup, through an outage", async () => {
    const h = harness();
    await h.directory.grantOf("h1");
    const made = { projectId: "other", allowedOrigins: [] };
    h.setRows([
      { hash: "h1", ...DEFAULT },
      { hash: "h2", ...made },
    ]);
    expect(await h.directory.grantOf("h2")).toEqual(made);
    h.setStoreUp(false);
    expect(await h.directory.grantOf("h2")).toEqual(made);
    expect(h.counts().lookups).toBe(1);
  });

  it("a revocation here wins over a load that was under way when it happened", async () => {
    const rows = [{ hash: "h1", ...DEFAULT }];
    let release: (() => void) | undefined;
    let loads = 0;
    const directory = new IngestKeyDirectory(
      async () => {
        loads += 1;
        // the first load read the key before the revocation, and answers after it
        if (loads === 2) await new Promise<void>((resolve) => (release = resolve));
        return loads === 2 ? rows : [];
      },
      async () => null,
      5_000,
      () => 0,
    );
    await directory.keepLoaded();
    directory.stopRefreshing();
    directory.invalidate();
    const slow = directory.keepLoaded();
    directory.stopRefreshing();
    directory.invalidate(); // the revocation, while the slow load is under way
    release?.();
    await slow;
    directory.stopRefreshing();
    expect(await directory.grantOf("h1")).toBeNull();
  });
});
