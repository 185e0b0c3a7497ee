import { logger } from "../logger";

/**
 * The web process's ordered shutdown. On SIGTERM or SIGINT Next.js (`next start`) stops
 * accepting connections, lets the requests in flight finish, then exits. Two things would
 * defeat it, and are done here first:
 * - open live streams never finish by themselves: the process would wait for them until
 *   its supervisor's SIGKILL. They are closed (`server_shutdown`); each browser's
 *   EventSource reconnects to another process and resumes with a snapshot.
 * - a load balancer would go on routing here: `/api/health` answers 503 `draining`.
 * Nothing needs flushing afterwards: an ingest request is answered only once Kafka has
 * acknowledged its events, so an exit after the last answer loses no accepted event.
 */
// On globalThis, like the process's other singletons: Next.js may load this module once per
// route bundle, and the flag instrumentation.ts sets must be the one /api/health reads.
const stateKey = Symbol.for("analytics.web.shutdown");
type GlobalWithShutdown = typeof globalThis & { [stateKey]?: { draining: boolean } };

function state(): { draining: boolean } | undefined {
  return (globalThis as GlobalWithShutdown)[stateKey];
}

export function isDraining(): boolean {
  return state()?.draining ?? false;
}

/** Installs the signal handlers once per process; `closeStreams` ends every live stream. */
export function registerWebShutdown(closeStreams: () => void): void {
  const holder = globalThis as GlobalWithShutdown;
  if (holder[stateKey]) return;
  const shared = { draining: false };
  holder[stateKey] = shared;
  const begin = (signal: NodeJS.Signals) => {
    if (shared.draining) return;
    shared.draining = true;
    logger.info({ signal }, "web_draining");
    try {
      closeStreams();
    } catch (error) {
      logger.warn({ err: error }, "live_streams_close_failed");
    }
  };
  process.on("SIGTERM", begin);
  process.on("SIGINT", begin);
}
