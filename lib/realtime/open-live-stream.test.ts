import { describe, expect, it } from "vitest";
import { LiveHub } from "./live-hub";
import type { LiveSnapshotMessage } from "./live-protocol";
import { openLiveStream } from "./open-live-stream";

const decoder = new TextDecoder();

async function readUntil(
  stream: ReadableStream<Uint8Array>,
  done: (text: string) => boolean,
): Promise<string> {
  const reader = stream.getReader();
  let text = "";
  while (!done(text)) {
    const next = await reader.read();
    if (next.done) break;
    text += decoder.decode(next.value);
  }
  reader.releaseLock();
  return text;
}

const realtime: LiveSnapshotMessage["realtime"] = {
  now: 100,
  seconds: 1,
  series: [{ second: 100, total: 2 }],
  by_type: { click: 2 },
  by_region: { eu: 2 },
  total: 2,
  cells: [[100, "click", "eu", 2]],
};

describe("openLiveStream", () => {
  it("starts a new client with a snapshot, then the messages published while it was read", async () => {
    const hub = new LiveHub({ serverId: "s1", heartbeatMs: 0 });
    hub.publish({ kind: "counts", i: 1 });
    let resolveSnapshot: (value: LiveSnapshotMessage["realtime"]) => void = () => undefined;
    const controller = new AbortController();
    const { client, resumed } = openLiveStream({
      hub,
      lastEventId: null,
      signal: controller.signal,
      readSnapshot: () => new Promise((resolve) => (resolveSnapshot = resolve)),
      maxQueue: 10,
      retryMs: 1500,
    });
    expect(resumed).toBe(false);
    hub.publish({ kind: "counts", i: 2 }); // arrives while the snapshot is being read
    resolveSnapshot(realtime);
    const text = await readUntil(client.stream, (t) => t.includes("id: s1-2"));
    expect(text.startsWith("retry: 1500\n\n: connected\n\n")).toBe(true);
    const snapshotAt = text.indexOf("event: snapshot");
    expect(snapshotAt).toBeGreaterThan(0);
    expect(text.indexOf("id: s1-1\nevent: snapshot")).toBe(snapshotAt - "id: s1-1\n".length);
    expect(text.indexOf("id: s1-2")).toBeGreaterThan(snapshotAt);
    expect(text).toContain(`"cells":[[100,"click","eu",2]]`);
    controller.abort();
    expect(hub.clientCount).toBe(0);
  });

  it("resumes from Last-Event-ID without a snapshot", async () => {
    const hub = new LiveHub({ serverId: "s2", heartbeatMs: 0 });
    hub.publish({ kind: "counts", i: 1 });
    hub.publish({ kind: "counts", i: 2 });
    let snapshotReads = 0;
    const { client, resumed } = openLiveStream({
      hub,
      lastEventId: "s2-1",
      signal: new AbortController().signal,
      readSnapshot: async () => {
        snapshotReads++;
        return realtime;
      },
      maxQueue: 10,
      retryMs: 1000,
    });
    expect(resumed).toBe(true);
    const text = await readUntil(client.stream, (t) => t.includes("id: s2-2"));
    expect(text).not.toContain("snapshot");
    expect(snapshotReads).toBe(0);
    client.close("server_shutdown");
  });

  it("sends a snapshot without figures when Redis cannot be read", async () => {
    const hub = new LiveHub({ serverId: "s3", heartbeatMs: 0 });
    const errors: unknown[] = [];
    const { client } = openLiveStream({
      hub,
      lastEventId: undefined,
      signal: new AbortController().signal,
      readSnapshot: () => Promise.reject(new Error("redis down")),
      maxQueue: 10,
      retryMs: 1000,
      onSnapshotError: (error) => errors.push(error),
    });
    const text = await readUntil(client.stream, (t) => t.includes("event: snapshot"));
    expect(text).toContain(`"realtime":null`);
    expect(errors).toHaveLength(1);
    client.close("server_shutdown");
  });

  it("does not connect a request that is already aborted", () => {
    const hub = new LiveHub({ serverId: "s4", heartbeatMs: 0 });
    const controller = new AbortController();
    controller.abort();
    const { client } = openLiveStream({
      hub,
      lastEventId: undefined,
      signal: controller.signal,
      readSnapshot: async () => realtime,
      maxQueue: 10,
      retryMs: 1000,
    });
    expect(client.closed).toBe(true);
    expect(hub.clientCount).toBe(0);
  });
});
