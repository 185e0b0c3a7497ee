import { afterEach, describe, expect, it } from "vitest";
import { LiveHub } from "./live-hub";
import { createSseClient, type CloseReason, type SseClient } from "./sse-client";

const decoder = new TextDecoder();
const hubs: LiveHub[] = [];

function makeHub(options: Partial<ConstructorParameters<typeof LiveHub>[0]> = {}) {
  const closed: CloseReason[] = [];
  const hub = new LiveHub({
    serverId: "abc",
    heartbeatMs: 0,
    onClientClosed: (r) => closed.push(r),
    ...options,
  });
  hubs.push(hub);
  return { hub, closed };
}

function makeClient(hub: LiveHub, maxQueue = 100): SseClient {
  return createSseClient({ maxQueue, onClose: (client, reason) => hub.clientClosed(client, reason) });
}

/** Reads what the client's stream holds right now (without waiting for more). */
async function drain(client: SseClient): Promise<string> {
  const reader = client.stream.getReader();
  let text = "";
  // A closed stream resolves done; an open one resolves each queued chunk, then we stop asking.
  for (;;) {
    const next = await Promise.race([reader.read(), Promise.resolve(undefined)]);
    if (!next || next.done) break;
    text += decoder.decode(next.value);
  }
  reader.releaseLock();
  return text;
}

function events(text: string) {
  return text
    .split("\n\n")
    .filter((block) => block.includes("data: "))
    .map((block) => ({
      id: /^id: (.*)$/m.exec(block)?.[1],
      event: /^event: (.*)$/m.exec(block)?.[1],
      data: /^data: (.*)$/m.exec(block)?.[1],
    }));
}

afterEach(() => {
  for (const hub of hubs.splice(0)) hub.closeAll();
});

describe("LiveHub", () => {
  it("fans one message out to every client, named by its kind, data unchanged", async () => {
    const { hub } = makeHub();
    const a = makeClient(hub);
    const b = makeClient(hub);
    hub.connect(a);
    hub.connect(b);
    const raw = JSON.stringify({ kind: "counts", counts: [{ t: "click", r: "eu", s: 1, n: 2 }] });
    expect(hub.publishRaw(raw)).toBe("sent");
    for (const client of [a, b]) {
      expect(events(await drain(client))).toEqual([{ id: "abc-1", event: "counts", data: raw }]);
    }
  });

  it("passes unknown kinds through and rejects what is not a kind-tagged JSON object", async () => {
    const { hub } = makeHub();
    const client = makeClient(hub);
    hub.connect(client);
    expect(hub.publishRaw(JSON.stringify({ kind: "anomaly", id: 7 }))).toBe("sent");
    expect(hub.publishRaw("not json")).toBe("invalid");
    expect(hub.publishRaw(JSON.stringify({ nokind: true }))).toBe("invalid");
    expect(hub.publishRaw(JSON.stringify({ kind: "Bad Kind\n" }))).toBe("invalid");
    expect(events(await drain(client)).map((e) => e.event)).toEqual(["anomaly"]);
  });

  it("gives ids that increase by one per message", async () => {
    const { hub } = makeHub();
    const client = makeClient(hub);
    hub.connect(client);
    for (let i = 0; i < 3; i++) hub.publish({ kind: "counts", counts: [] });
    expect(events(await drain(client)).map((e) => e.id)).toEqual(["abc-1", "abc-2", "abc-3"]);
    expect(hub.lastEventId).toBe("abc-3");
  });

  it("replays exactly what a reconnecting client missed", async () => {
    const { hub } = makeHub();
    for (let i = 1; i <= 5; i++) hub.publish({ kind: "counts", i });
    const client = makeClient(hub);
    expect(hub.connect(client, "abc-3")).toEqual({ resumed: true });
    hub.publish({ kind: "counts", i: 6 });
    expect(events(await drain(client)).map((e) => e.id)).toEqual(["abc-4", "abc-5", "abc-6"]);
  });

  it.each([
    { name: "no id", lastEventId: undefined },
    { name: "another process's id", lastEventId: "zzz-2" },
    { name: "a malformed id", lastEventId: "nonsense" },
    { name: "an id older than the buffer", lastEventId: "abc-1" },
  ])("does not resume with $name", ({ lastEventId }) => {
    const { hub } = makeHub({ replayCapacity: 3 });
    for (let i = 1; i <= 6; i++) hub.publish({ kind: "counts", i });
    expect(hub.connect(makeClient(hub), lastEventId)).toEqual({ resumed: false });
  });

  it("closes a client whose queue is full and keeps serving the others", async () => {
    const { hub, closed } = makeHub();
    const slow = makeClient(hub, 3);
    const fast = makeClient(hub, 3);
    hub.connect(slow);
    hub.connect(fast);
    for (let i = 1; i <= 10; i++) {
      hub.publish({ kind: "counts", i });
      await drain(fast); // the fast client keeps reading; the slow one never does
    }
    expect(slow.closed).toBe(true);
    expect(fast.closed).toBe(false);
    expect(closed).toEqual(["slow_client"]);
    expect(hub.clientCount).toBe(1);
    // What the slow client had queued is still delivered before its stream ends.
    expect(events(await drain(slow)).map((e) => e.id)).toEqual(["abc-1", "abc-2", "abc-3"]);
  });

  it("forgets a client whose stream was cancelled", async () => {
    const { hub, closed } = makeHub();
    const client = makeClient(hub);
    hub.connect(client);
    await client.stream.cancel();
    expect(hub.clientCount).toBe(0);
    expect(closed).toEqual(["client_gone"]);
    hub.publish({ kind: "counts" }); // must not throw
  });

  it("sends heartbeat comments to connected clients", async () => {
    const { hub } = makeHub();
    const client = makeClient(hub);
    hub.connect(client);
    hub.sendHeartbeat();
    expect(await drain(client)).toMatch(/^: ping \S+\n\n$/);
  });
});

describe("LiveHub stream caps", () => {
  const limits = { maxConnections: 3, maxPerClient: 2 };

  it("refuses a client address over its cap, and any address once the process is full", () => {
    const { hub } = makeHub();
    expect(hub.refusal("10.0.0.1", limits)).toBeUndefined();
    hub.connect(makeClient(hub), null, "10.0.0.1");
    hub.connect(makeClient(hub), null, "10.0.0.1");
    expect(hub.connectionsFrom("10.0.0.1")).toBe(2);
    expect(hub.refusal("10.0.0.1", limits)).toBe("client");
    expect(hub.refusal("10.0.0.2", limits)).toBeUndefined();
    hub.connect(makeClient(hub), null, "10.0.0.2");
    expect(hub.clientCount).toBe(3);
    expect(hub.refusal("10.0.0.3", limits)).toBe("process");
    expect(hub.refusal("10.0.0.1", limits)).toBe("process");
  });

  it("gives a place back however a stream ends: closed by the client, too slow, or shut down", () => {
    const { hub } = makeHub();
    const gone = makeClient(hub);
    const slow = makeClient(hub, 1);
    hub.connect(gone, null, "10.0.0.1");
    hub.connect(slow, null, "10.0.0.1");
    expect(hub.refusal("10.0.0.1", limits)).toBe("client");
    gone.close("client_gone");
    expect(hub.connectionsFrom("10.0.0.1")).toBe(1);
    expect(hub.refusal("10.0.0.1", limits)).toBeUndefined();
    // a full queue closes the slow client
    hub.publish({ kind: "counts", i: 1 });
    hub.publish({ kind: "counts", i: 2 });
    expect(slow.closed).toBe(true);
    expect(hub.connectionsFrom("10.0.0.1")).toBe(0);
    hub.connect(makeClient(hub), null, "10.0.0.1");
    hub.closeAll();
    expect(hub.connectionsFrom("10.0.0.1")).toBe(0);
    expect(hub.clientCount).toBe(0);
  });

  it("counts a client once even if connected twice", () => {
    const { hub } = makeHub();
    const client = makeClient(hub);
    hub.connect(client, null, "10.0.0.1");
    hub.connect(client, null, "10.0.0.1");
    expect(hub.connectionsFrom("10.0.0.1")).toBe(1);
    client.close("client_gone");
    expect(hub.connectionsFrom("10.0.0.1")).toBe(0);
  });
});
