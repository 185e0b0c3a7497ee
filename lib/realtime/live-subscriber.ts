import "server-only";
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { logger } from "../logger";
import { createRedis, redisKeys } from "../redis";
import { DEFAULT_PROJECT_ID } from "../domain/projects";
import { LiveHub, type StreamLimits, type StreamRefusal } from "./live-hub";
import { LIVE_KIND_PATTERN } from "./live-protocol";
import { liveClientsClosedTotal, liveClientsConnected, liveMessagesTotal } from "./live-metrics";

interface LiveState {
  /** One hub per project with a stream open here (each its own ids and replay buffer). */
  hubs: Map<string, LiveHub>;
  serverId: string;
  subscriber: Redis;
}

// One set of hubs and one Redis subscription per server process, shared by every route bundle.
const globalKey = Symbol.for("analytics.live.hub");
type GlobalWithLive = typeof globalThis & { [globalKey]?: LiveState };

function liveState(): LiveState {
  const holder = globalThis as GlobalWithLive;
  holder[globalKey] ??= startLive();
  return holder[globalKey];
}

/** Streams open in this process, every project's. */
export function liveClientCount(): number {
  let count = 0;
  for (const hub of liveState().hubs.values()) count += hub.clientCount;
  return count;
}

/**
 * Whether a new stream from `address` would pass this process's caps (undefined) or why
 * not; the caps count every project's streams. Check it in the same tick as the connect.
 */
export function liveStreamRefusal(address: string, limits: StreamLimits): StreamRefusal | undefined {
  let fromAddress = 0;
  for (const hub of liveState().hubs.values()) fromAddress += hub.connectionsFrom(address);
  if (liveClientCount() >= limits.maxConnections) return "process";
  if (fromAddress >= limits.maxPerClient) return "client";
  return undefined;
}

/** The process's live hub of a project: its streams get that project's messages only. */
export function getLiveHub(projectId: string): LiveHub {
  const state = liveState();
  let hub = state.hubs.get(projectId);
  if (!hub) {
    hub = new LiveHub({
      // Ids from another process, project or before a restart never match: those clients get a snapshot.
      serverId: `${state.serverId}.${projectId}`,
      onClientClosed: (reason) => {
        liveClientsClosedTotal.inc({ reason });
        liveClientsConnected.set(liveClientCount());
      },
    });
    state.hubs.set(projectId, hub);
  }
  return hub;
}

/** Ends every live stream of this process (shutdown); a process without any has nothing to do. */
export function closeLiveStreams(): void {
  for (const hub of (globalThis as GlobalWithLive)[globalKey]?.hubs.values() ?? [])
    hub.closeAll("server_shutdown");
}

/** The kind and project of a live message, or undefined when it is not one. */
function routeOf(raw: string): { kind: string; project: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const { kind, project } = parsed as { kind?: unknown; project?: unknown };
    if (typeof kind !== "string" || !LIVE_KIND_PATTERN.test(kind)) return undefined;
    return { kind, project: typeof project === "string" ? project : DEFAULT_PROJECT_ID };
  } catch {
    return undefined;
  }
}

function startLive(): LiveState {
  const hubs = new Map<string, LiveHub>();
  const serverId = randomBytes(4).toString("hex");
  const channel = redisKeys.liveChannel();
  // A subscriber connection waits for Redis however long it takes; commands must not time out.
  const subscriber = createRedis("live-subscriber", {
    maxRetriesPerRequest: null,
    commandTimeout: undefined,
  });
  let subscribed = false;
  let warnedInvalid = false;

  subscriber.on("message", (_channel: string, raw: string) => {
    const route = routeOf(raw);
    if (!route) {
      liveMessagesTotal.inc({ outcome: "invalid" });
      if (!warnedInvalid) logger.warn({ channel, sample: raw.slice(0, 200) }, "live_message_invalid");
      warnedInvalid = true;
      return;
    }
    // a project nobody here watches has no hub: its message has nobody to reach
    hubs.get(route.project)?.publishKind(route.kind, raw);
    liveMessagesTotal.inc({ outcome: "sent" });
  });
  subscriber.on("ready", () => {
    // ioredis re-subscribes by itself after a reconnect; messages published meanwhile are
    // lost to us, so clients are told to reload their state.
    if (subscribed)
      for (const hub of hubs.values()) hub.publish({ kind: "resync", reason: "redis_reconnected" });
  });
  subscriber.subscribe(channel).then(
    () => {
      subscribed = true;
      logger.info({ channel, server_id: serverId }, "live_subscribed");
    },
    (error: unknown) => logger.error({ err: error, channel }, "live_subscribe_failed"),
  );
  return { hubs, serverId, subscriber };
}
