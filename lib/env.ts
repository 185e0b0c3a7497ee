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

  DATABASE_URL: z.url().default("postgres://postgres@127.0.0.1:5432/analytics"),
  DATABASE_POOL_SIZE: int(10, 1),
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
  PRODUCE_TIMEOUT_MS: int(10_000, 100),

  INGEST_MAX_BODY_BYTES: int(1024 * 1024, 1024),
  INGEST_MAX_EVENTS: int(1000, 1),
  INGEST_MAX_PROPERTIES_BYTES: int(32 * 1024, 16),
  INGEST_MAX_FUTURE_MS: int(5 * 60 * 1000),
  RETENTION_DAYS: int(30, 1),

  PROCESSOR_GROUP_ID: z.string().min(1).default("analytics-processor"),
  WINDOW_SIZES_SECONDS: csv("300,60")
    .transform((parts) => parts.map(Number))
    .pipe(z.array(z.number().int().positive().max(86_400)).min(1)),
  ALLOWED_LATENESS_MS: int(2 * 60 * 1000),
  REALTIME_BUCKET_TTL_SECONDS: int(6 * 60, 60),
  METRICS_PORT: int(9464, 0),

  ALLOW_PRIVATE_WEBHOOKS: bool(false),
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
