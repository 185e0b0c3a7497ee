import { UnrecoverableError, type JobsOptions, type Queue } from "bullmq";
import { z } from "zod";
import { getEnv } from "../env";

/** The queue that carries alert notifications. */
export const NOTIFICATIONS_QUEUE = "notifications";

interface JobDefinition<S extends z.ZodType> {
  queue: string;
  payload: S;
  /** Attempts, backoff and retention of this job. */
  options: () => JobsOptions;
  /** A deterministic id, so enqueueing the same work twice adds one job. */
  jobId: (payload: z.infer<S>) => string;
}

function define<S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> {
  return definition;
}

/**
 * Every job the system runs: its payload schema, attempts and backoff. Payloads are validated
 * when enqueued and again when processed.
 */
export const jobCatalog = {
  /**
   * POST one alert_deliveries row to its webhook. Attempts ALERT_WEBHOOK_ATTEMPTS (5) times with
   * exponential backoff from ALERT_WEBHOOK_BACKOFF_MS (2 s: waits of 2, 4, 8, 16 s), then the
   * delivery is dead-lettered (kept in the failed set and marked in the deliveries table).
   */
  "deliver-webhook": define({
    queue: NOTIFICATIONS_QUEUE,
    payload: z.strictObject({ delivery_id: z.uuid() }),
    options: () => {
      const env = getEnv();
      return {
        attempts: env.ALERT_WEBHOOK_ATTEMPTS,
        backoff: { type: "exponential", delay: env.ALERT_WEBHOOK_BACKOFF_MS },
        removeOnComplete: { age: 7 * 86_400, count: 10_000 },
        removeOnFail: { age: 30 * 86_400, count: 50_000 },
      };
    },
    jobId: (payload) => `delivery-${payload.delivery_id}`,
  }),
} as const;

export type JobName = keyof typeof jobCatalog;
export type JobPayload<N extends JobName> = z.infer<(typeof jobCatalog)[N]["payload"]>;

/**
 * Validates and adds one job; adding the same payload again is a no-op while the job is kept.
 * With `timeoutMs`, an add that Redis has not confirmed by then is reported as failed (it may
 * still land; the deterministic job id makes that harmless).
 */
export async function enqueueJob<N extends JobName>(
  queue: Queue,
  name: N,
  payload: JobPayload<N>,
  { timeoutMs }: { timeoutMs?: number } = {},
): Promise<void> {
  const definition = jobCatalog[name];
  if (queue.name !== definition.queue) {
    throw new Error(`job ${name} belongs on queue ${definition.queue}, not ${queue.name}`);
  }
  const data = definition.payload.parse(payload);
  const added = queue.add(name, data, { ...definition.options(), jobId: definition.jobId(data) });
  if (timeoutMs === undefined) {
    await added;
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  added.catch(() => undefined); // reported below, or too late to matter
  try {
    await Promise.race([
      added,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`enqueue of ${name} not confirmed within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A job's payload as its catalog entry says; an invalid one can never succeed, so it must not retry. */
export function parseJobPayload<N extends JobName>(name: N, data: unknown): JobPayload<N> {
  const result = jobCatalog[name].payload.safeParse(data);
  if (!result.success) {
    throw new UnrecoverableError(`invalid ${name} payload: ${z.prettifyError(result.error)}`);
  }
  return result.data as JobPayload<N>;
}
