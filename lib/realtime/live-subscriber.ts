import "server-only";
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { logger } from "../logger";
import { createRedis, redisKeys } from "../redis";
import { LiveHub } from "./live-hub";
import { liveClientsClosedTotal, liveClientsConnected, liveMessagesTotal } from "./live-metrics";

interface LiveState {
  hub: LiveHub;
  subscriber: Redis;
}

// One hub and one Redis subscription per server process, shared by every route bundle.
const globalKey = Symbol.for("analytics.live.hub");
type GlobalWithLive = typeof globalThis & { [globalKey]?: LiveState };

/** The process's live hub, subscribed to the Redis live channel on first use. */
export function getLiveHub(): LiveHub {
  const holder = globalThis as GlobalWithLive;
  holder[globalKey] ??= startLive();
  return holder[globalKey].hub;
}

function startLive(): LiveState {
  const hub = new LiveHub({
    // Ids from another process (or before a restart) never match: those clients get a snapshot.
    serverId: randomBytes(4).toString("hex"),
    onClientClosed: (reason) => {
      liveClientsClosedTotal.inc({ reason });
      liveClientsConnected.set(hub.clientCount);
    },
  });
  const channel = redisKeys.liveChannel();
  // A subscriber connection waits for Redis however long it takes; commands must not time out.
  const subscriber = createRedis("live-subscriber", {
    maxRetriesPerRequest: null,
    commandTimeout: undefined,
  });
  let subscribed = false;
  let warnedInvalid = false;

  subscriber.on("message", (_channel: string, raw: string) => {
    const outcome = hub.publishRaw(raw);
    liveMessagesTotal.inc({ outcome });
    if (outcome === "invalid" && !warnedInvalid) {
      warnedInvalid = true;
      logger.warn({ channel, sample: raw.slice(0, 200) }, "live_message_invalid");
    }
  });
  subscriber.on("ready", () => {
    // ioredis re-subscribes by itself after a reconnect; messages published meanwhile are
    // lost to us, so clients are told to reload their state.
    if (subscribed) hub.publish({ kind: "resync", reason: "redis_reconnected" });
  });
  subscriber.subscribe(channel).then(
    () => {
      subscribed = true;
      logger.info({ channel, server_id: hub.serverId }, "live_subscribed");
    },
    (error: unknown) => logger.error({ err: error, channel }, "live_subscribe_failed"),
  );
  return { hub, subscriber };
}
