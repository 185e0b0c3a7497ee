import { Redis } from "ioredis";
import { Kafka, logLevel } from "kafkajs";
import postgres from "postgres";
import { inject } from "vitest";

/** Direct clients to the servers the test stack uses, to check what the pipeline wrote. */
export function testClients() {
  const env = inject("stackEnv");
  const databaseUrl = env.DATABASE_URL ?? "";
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => undefined });
  const redis = new Redis("redis://127.0.0.1:6379", { lazyConnect: false });
  const kafka = new Kafka({ clientId: "tests", brokers: ["127.0.0.1:9092"], logLevel: logLevel.NOTHING });
  return {
    sql,
    redis,
    kafka,
    env,
    baseUrl: inject("baseUrl"),
    credentials: inject("credentials"),
    async close() {
      await sql.end();
      redis.disconnect();
    },
  };
}

/** Sum of the high watermarks of the event topics with the test prefix: grows iff an event was produced. */
export async function countProduced(kafka: Kafka, prefix: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // event topics only: the processor emits closed windows on its own schedule
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(`${prefix}events.`));
    let total = 0;
    for (const topic of topics) {
      for (const partition of await admin.fetchTopicOffsets(topic)) total += Number(partition.high);
    }
    return total;
  } finally {
    await admin.disconnect();
  }
}

/** Headers that sign a request to the test stack: a token of `role`, or the ingest key. */
export function authHeaders(as: "ingest" | "admin" | "member" | "viewer" = "admin"): Record<string, string> {
  const credentials = inject("credentials");
  return { Authorization: `Bearer ${as === "ingest" ? credentials.ingestKey : credentials.tokens[as]}` };
}

/** POSTs events with the test stack's ingest key (unless `headers` brings an Authorization of its own). */
export async function postEvents(baseUrl: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}/api/events`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...authHeaders("ingest"), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}
