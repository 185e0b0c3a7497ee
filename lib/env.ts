import { z } from "zod";

/**
 * The process configuration, parsed once from the environment. Every variable has a
 * default for the local stack; a wrong value stops the process with the variable's name.
 * Nothing else in the code base reads `process.env`.
 */
const csv = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((raw) =>
      raw
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part.length > 0),
    );

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0"])
    .default(fallback ? "true" : "false")
    .transform((raw) => raw === "true" || raw === "1");

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  PORT: int(3000, 1),
  WEB_PROCESSES: int(1, 1),

  DATABASE_URL: z.url().default("postgres://postgres@127.0.0.1:5432/analytics"),
  DATABASE_POOL_SIZE: int(10, 1),
  /** A connection PostgreSQL has not accepted and authenticated by then fails (a store that is down). */
  DATABASE_CONNECT_TIMEOUT_MS: int(2_000, 100),
  /** PostgreSQL cancels a statement running longer (0: never); a safety net for every process. */
  DATABASE_STATEMENT_TIMEOUT_MS: int(30_000),
  /** A query route answers 503 dependency_unavailable when its stores took longer than this. */
  QUERY_TIMEOUT_MS: int(2_500, 100),
  REDIS_URL: z.url().default("redis://127.0.0.1:6379"),
  REDIS_KEY_PREFIX: z.string().default("analytics:"),

  KAFKA_BROKERS: csv("127.0.0.1:9092").pipe(z.array(z.string().regex(/^[^:]+:\d+$/)).min(1)),
  KAFKA_CLIENT_ID: z.string().min(1).default("analytics"),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/)
    .default(""),
  KAFKA_PARTITIONS: int(6, 1),
  KAFKA_REPLICATION_FACTOR: int(1, 1),
  KAFKA_RETENTION_MS: int(30 * 24 * 3600 * 1000, 60_000),
  EVENT_TYPES: csv("page_view,click,purchase,signup,error").pipe(
    z.array(z.string().regex(/^[a-z0-9_.-]{1,64}$/)).min(1),
  ),

  PRODUCER_LINGER_MS: int(2),
  PRODUCER_MAX_BATCH_MESSAGES: int(5000, 1),
  PRODUCER_POOL_SIZE: int(4, 1),
  PRODUCE_TIMEOUT_MS: int(10_000, 100),

  INGEST_MAX_BODY_BYTES: int(1024 * 1024, 1024),
  INGEST_MAX_EVENTS: int(1000, 1),
  INGEST_MAX_PROPERTIES_BYTES: int(32 * 1024, 16),
  INGEST_MAX_FUTURE_MS: int(5 * 60 * 1000),
  RETENTION_DAYS: int(30, 1),
  AGGREGATION_RETENTION_DAYS: int(400, 1),
  SYSTEM_METRICS_RETENTION_DAYS: int(7, 1),
  /** Anomalies recorded longer ago are deleted, except those an incident still kept links to. */
  ANOMALY_RETENTION_DAYS: int(90, 1),
  /** Resolved incidents and their finished deliveries (with attempts) older than this are deleted. */
  ALERT_HISTORY_RETENTION_DAYS: int(90, 1),
  /** A series' detector state with no window for this long is deleted (the series stopped). */
  DETECTOR_STATE_RETENTION_DAYS: int(30, 1),
  RETENTION_INTERVAL_MS: int(3600 * 1000, 1000),

  PROCESSOR_GROUP_ID: z.string().min(1).default("analytics-processor"),
  PROCESSOR_SESSION_TIMEOUT_MS: int(30_000, 6_000),
  PROCESSOR_WRITE_LANES: int(2, 1),
  /** Regions with a series of their own (aggregates, detector, live counters); later ones are "other". */
  AGGREGATION_REGION_LIMIT: int(200, 1),
  WINDOW_SIZES_SECONDS: csv("300,60")
    .transform((parts) => parts.map(Number))
    .pipe(z.array(z.number().int().positive().max(86_400)).min(1)),
  ALLOWED_LATENESS_MS: int(2 * 60 * 1000),
  /** An event moves the watermark to its time, but never past its receive time plus this. */
  WATERMARK_MAX_SKEW_MS: int(5_000),
  IDLE_PARTITION_MS: int(30 * 1000, 1000),
  WINDOW_CLOSE_INTERVAL_MS: int(1000, 100),
  /**
   * A window closes only once no event of it was written for this long (every row of the
   * project's window together): history sent with past times (a backfill, a replayed client
   * queue) fills its windows before they close, instead of closing them between two batches.
   */
  WINDOW_CLOSE_GRACE_MS: int(5000, 0),
  REALTIME_BUCKET_TTL_SECONDS: int(6 * 60, 60),
  METRICS_PORT: int(9464, 0),

  ALLOW_PRIVATE_WEBHOOKS: bool(false),

  // Anomaly worker and alert delivery
  ANOMALY_GROUP_ID: z.string().min(1).default("analytics-anomaly"),
  /** Sensitivity that records an anomaly row on series no anomaly rule watches more closely. */
  ANOMALY_DEFAULT_SENSITIVITY: z.enum(["low", "medium", "high"]).default("medium"),
  ALERT_NO_DATA_CHECK_MS: int(30_000, 100),
  ALERT_WEBHOOK_TIMEOUT_MS: int(5_000, 100),
  ALERT_WEBHOOK_ATTEMPTS: int(5, 1),
  ALERT_WEBHOOK_BACKOFF_MS: int(2_000, 1),
  ALERT_WORKER_CONCURRENCY: int(10, 1),
  ALERT_OUTBOX_SWEEP_MS: int(30_000, 100),
  /** Base of the links in notifications (the dashboard as users reach it). */
  PUBLIC_BASE_URL: z.url().default("http://localhost:3000"),

  // Security (docs/security.md). In production the secrets are required; elsewhere a fixed,
  // publicly known development value stands in, with a warning at start.
  /** Signs session cookies and API tokens (at least 32 characters). */
  AUTH_SECRET: z.string().min(32).optional(),
  /** Encrypts secrets at rest (webhook secrets): 32 bytes, base64. */
  SECRETS_KEY: z
    .string()
    .refine((raw) => Buffer.from(raw, "base64").length === 32, "must be 32 bytes, base64-encoded")
    .optional(),
  /** The first admin, created at start when no user exists yet (or use the setup link). */
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(12).optional(),
  /** Bearer token that /metrics on the web port asks for; unset: only METRICS_PORT serves metrics. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Take the client's address from X-Forwarded-For (only behind a proxy that sets it). */
  TRUST_PROXY: bool(false),
  /** Requests per second and ingest key (a burst of twice as many is allowed). */
  RATE_LIMIT_INGEST_PER_KEY: int(1_000, 1),
  /** Requests per second and client address, on every route. */
  RATE_LIMIT_PER_IP: int(1_000, 1),
  /** Sign-in attempts per 15 minutes and client address. */
  RATE_LIMIT_SIGN_IN: int(10, 1),
  /** Live streams open at once, per process and per client address. */
  LIVE_MAX_CONNECTIONS: int(1_000, 1),
  LIVE_MAX_CONNECTIONS_PER_CLIENT: int(10, 1),
});

export type Env = z.infer<typeof envSchema>;

/** Parses `source`; throws one error that names every wrong variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ""),
  );
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    throw new Error(`Invalid configuration: ${problems.join("; ")}`);
  }
  return result.data;
}

let cached: Env | undefined;

/** The configuration of this process, parsed on first use. */
export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
