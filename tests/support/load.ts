/**
 * Steady ingest traffic that behaves like a careful client: it retries a 503 (after its
 * Retry-After, with the event_ids from the 503's body) and a dropped connection (with the
 * same body), and records which event ids the server acknowledged (202). Three kinds of
 * batches take turns: no ids at all (the server's ids, learnt from the answer), the
 * client's own text ids, and the client's own UUIDv7 ids; none sends a timestamp, the case
 * where a retry's time is the server's choice.
 */
import { randomInt } from "node:crypto";
import { uuidv7 } from "uuidv7";

export interface LoadOptions {
  /** The project's ingest key the batches are sent with. */
  ingestKey: string;
  region: string;
  types: string[];
  batchSize?: number;
  concurrency?: number;
  eventsPerSecond?: number;
  /** How long one batch may keep retrying before it is given up (then it was never acknowledged). */
  giveUpMs?: number;
  /** Only batches with the client's own ids (for a test that cuts requests off unanswered). */
  clientIdsOnly?: boolean;
  /** Told of every answer (its status, or "network") as it arrives, e.g. to time a 503 window. */
  onAnswer?: (status: string) => void;
}

export interface LoadReport {
  /** Ids the server answered 202 for. */
  acked: Set<string>;
  /** Every id sent in any attempt (a superset of acked). */
  attempted: Set<string>;
  /** Answers by status; "network" for a request that got no answer. */
  statuses: Record<string, number>;
  /** Batches given up after giveUpMs of retries. */
  abandoned: number;
}

export interface Load {
  report: LoadReport;
  /** Resolves once a 202 arrived after this call. */
  nextAck(): Promise<void>;
  stop(): Promise<LoadReport>;
}

interface Draft {
  event_type: string;
  region: string;
  user_id: string;
  value: number;
  event_id?: string;
}

export function startLoad(baseUrl: string, options: LoadOptions): Load {
  const {
    region,
    types,
    batchSize = 50,
    concurrency = 2,
    eventsPerSecond = 800,
    giveUpMs = 90_000,
    clientIdsOnly = false,
    ingestKey,
    onAnswer,
  } = options;
  let batches = 0;
  const report: LoadReport = { acked: new Set(), attempted: new Set(), statuses: {}, abandoned: 0 };
  let stopping = false;
  let sequence = 0;
  let ackWaiters: (() => void)[] = [];
  const count = (status: string) => {
    report.statuses[status] = (report.statuses[status] ?? 0) + 1;
    onAnswer?.(status);
  };

  const draftBatch = (): Draft[] => {
    // 0: the server's ids, 1: the client's text ids, 2: the client's UUIDv7 ids
    const kind = clientIdsOnly ? 1 + (batches++ % 2) : batches++ % 3;
    return Array.from({ length: batchSize }, () => {
      const n = sequence++;
      const draft: Draft = {
        event_type: types[n % types.length] ?? "click",
        region,
        user_id: `u${randomInt(500)}`,
        value: randomInt(1, 1000) / 10,
      };
      if (kind === 1) draft.event_id = `${region}-${n}`;
      if (kind === 2) draft.event_id = uuidv7();
      return draft;
    });
  };

  const sendUntilAcked = async (events: Draft[]) => {
    const started = Date.now();
    for (;;) {
      for (const event of events) if (event.event_id) report.attempted.add(event.event_id);
      let response: Response;
      try {
        response = await fetch(`${baseUrl}/api/events`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: `Bearer ${ingestKey}` },
          body: JSON.stringify(events),
          signal: AbortSignal.timeout(30_000),
        });
      } catch {
        count("network");
        if (Date.now() - started > giveUpMs) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      count(String(response.status));
      const body = (await response.json().catch(() => ({}))) as { event_ids?: string[] };
      // the ids of what was (or may have been) produced: a retry must carry them
      body.event_ids?.forEach((id, i) => {
        const event = events[i];
        if (event && event.event_id === undefined) event.event_id = id;
        report.attempted.add(id);
      });
      if (response.status === 202) {
        for (const event of events) if (event.event_id) report.acked.add(event.event_id);
        const waiters = ackWaiters;
        ackWaiters = [];
        waiters.forEach((wake) => wake());
        return;
      }
      if (response.status !== 503 || Date.now() - started > giveUpMs) break;
      const retryAfter = Number(response.headers.get("retry-after") ?? "1");
      await new Promise((resolve) => setTimeout(resolve, Math.min(retryAfter, 1) * 1000));
    }
    report.abandoned++;
  };

  const intervalMs = (batchSize * concurrency * 1000) / eventsPerSecond;
  const loop = async () => {
    while (!stopping) {
      const started = Date.now();
      await sendUntilAcked(draftBatch());
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - started))));
    }
  };
  const loops = Array.from({ length: concurrency }, loop);

  return {
    report,
    nextAck: () => new Promise<void>((resolve) => ackWaiters.push(resolve)),
    async stop() {
      stopping = true;
      await Promise.all(loops);
      return report;
    },
  };
}
