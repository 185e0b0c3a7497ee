/**
 * `npm run bench:live [-- --rate 5000 --seconds 20 --processes 1]`
 * POST /api/events -> event reported on GET /api/stream (SSE) latency, under a background load
 * of `rate` events/s. Every 100 ms a probe event with a region of its own is posted; its
 * latency is the time from sending the POST until a "counts" message naming that region
 * arrives on an SSE client. The path: Next.js route -> Kafka (acknowledged) -> the route
 * PUBLISHes the request's counts on Redis -> the web process's one Redis subscriber -> SSE.
 * A processor runs too (it persists the same load), as in production. `--processes`: web
 * processes (WEB_PROCESSES).
 *
 * Baseline in the same run: a bare Node HTTP server that PUBLISHes each POST's events on
 * Redis at once and relays its subscription to an SSE client, under the same load. The ratio
 * shows what Kafka, the processor and Next.js add on top of HTTP + Redis pub/sub + SSE.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { createTraffic } from "@/lib/simulation/traffic";
import { createApiToken, createIngestKey, ensureUser } from "@/lib/services/auth/credentials";
import { closeDb } from "@/db/client";
import { ensureNextBuild, ROOT, sh, startNext, startWorker, stop } from "./support/servers";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "5000" },
    seconds: { type: "string", default: "20" },
    batch: { type: "string", default: "100" },
    processes: { type: "string", default: "1" },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const BATCH = Number(values.batch);
const PROCESSES = Number(values.processes);
const PROBE_EVERY_MS = 100;
const WARMUP_SECONDS = 3;
const NEXT_PORT = 3321;
const BASELINE_PORT = 3322;
const REDIS_URL = "redis://127.0.0.1:6379";
const runId = `${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
const BASELINE_CHANNEL = `bench-live-${runId}:baseline`;
const LIVE_CHANNEL = `bench-live-${runId}:live`; // REDIS_KEY_PREFIX + "live", as the processor publishes

/** Credentials made in main(): the ingest key for POSTs, a viewer's token for the stream. */
const ingestHeaders: Record<string, string> = {};
const viewerHeaders: Record<string, string> = {};

interface RunResult {
  latencies: number[];
  /** POST -> the message on Redis (seen by a direct subscriber): the pipeline before the web process. */
  redisLatencies: number[];
  probesSent: number;
  eventsAccepted: number;
  failedRequests: number;
  seconds: number;
}

/** A minimal SSE reader: calls `onEvent` for each complete event. */
function openSse(url: string, onEvent: (event: string, data: string) => void): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      url,
      { headers: { Accept: "text/event-stream", ...viewerHeaders } },
      (response) => {
        if (response.statusCode !== 200) {
          reject(new Error(`${url} answered ${response.statusCode}`));
          return;
        }
        response.setEncoding("utf8");
        let buffer = "";
        response.on("data", (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let event = "message";
            const data: string[] = [];
            for (const line of block.split("\n")) {
              if (line.startsWith("event: ")) event = line.slice(7);
              else if (line.startsWith("data: ")) data.push(line.slice(6));
            }
            if (data.length > 0) onEvent(event, data.join("\n"));
          }
        });
        resolve(() => request.destroy());
      },
    );
    request.on("error", reject);
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN);

/** Load plus probes against one server; latency per probe until its region shows on the stream. */
async function measure(
  name: string,
  postUrl: string,
  streamUrl: string,
  redisChannel: string,
): Promise<RunResult> {
  const traffic = createTraffic({ seed: 7 });
  // probe region -> when its POST was sent, and whether it was sent while measuring
  const sentAt = new Map<string, { at: number; counted: boolean }>();
  const onRedisAt = new Map<string, number>();
  const latencies: number[] = [];
  const redisLatencies: number[] = [];
  let measuring = false;
  // Other kinds (closed windows, anomalies) share the channel: only "counts" name regions.
  const regionsOf = (data: string) => {
    const message = JSON.parse(data) as { kind?: string; counts?: { r: string }[] };
    return message.kind === "counts" ? (message.counts ?? []).map((c) => c.r) : [];
  };
  const close = await openSse(streamUrl, (event, data) => {
    if (event !== "counts") return;
    const now = performance.now();
    for (const region of regionsOf(data)) {
      const probe = sentAt.get(region);
      if (!probe) continue;
      sentAt.delete(region);
      if (!probe.counted) continue;
      latencies.push(now - probe.at);
      const redisAt = onRedisAt.get(region);
      if (redisAt !== undefined) redisLatencies.push(redisAt - probe.at);
    }
  });
  // A direct subscriber to the same channel splits the latency: before Redis, and Redis -> SSE.
  const direct = new Redis(REDIS_URL);
  await direct.subscribe(redisChannel);
  direct.on("message", (_channel: string, data: string) => {
    const now = performance.now();
    for (const region of regionsOf(data)) if (sentAt.has(region)) onRedisAt.set(region, now);
  });

  let eventsAccepted = 0;
  let failedRequests = 0;
  let probesSent = 0;
  let stopped = false;
  const inFlight = new Set<Promise<void>>();
  const post = (body: string, events: number) => {
    const done = fetch(postUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...ingestHeaders },
      body,
    })
      .then(async (response) => {
        await response.arrayBuffer();
        if (response.status === 202) eventsAccepted += events;
        else failedRequests++;
      })
      .catch(() => {
        failedRequests++;
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  };

  // Bodies made up front: the load generator shares the 2 cores with what it measures.
  // Their events carry no id or time, so a body sent again is new events.
  const bodies = Array.from({ length: 200 }, () => JSON.stringify(traffic.batch(BATCH)));
  // Batches spread evenly over each second; probes every 100 ms, each with a region of its own.
  const batchesPerSecond = RATE / BATCH;
  const started = performance.now();
  let batchesSent = 0;
  const loadTimer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * batchesPerSecond);
    for (; batchesSent < due && !stopped; batchesSent++)
      post(bodies[batchesSent % bodies.length] ?? "[]", BATCH);
  }, 5);
  let probe = 0;
  const probeTimer = setInterval(() => {
    const region = `probe-${runId}-${name}-${probe++}`;
    sentAt.set(region, { at: performance.now(), counted: measuring });
    probesSent += measuring ? 1 : 0;
    post(JSON.stringify({ event_type: "page_view", region, user_id: "probe" }), 1);
  }, PROBE_EVERY_MS);

  await new Promise((resolve) => setTimeout(resolve, WARMUP_SECONDS * 1000));
  measuring = true;
  const acceptedAtStart = eventsAccepted;
  const measureStart = performance.now();
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const seconds = (performance.now() - measureStart) / 1000;
  const accepted = eventsAccepted - acceptedAtStart;
  clearInterval(probeTimer);
  clearInterval(loadTimer);
  stopped = true;
  // Late probes still count: give the stream a moment to report the last ones.
  const deadline = Date.now() + 5_000;
  while (sentAt.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  await Promise.all([...inFlight]);
  close();
  direct.disconnect();
  return { latencies, redisLatencies, probesSent, eventsAccepted: accepted, failedRequests, seconds };
}

/** The baseline: POST -> PUBLISH on Redis -> subscriber -> SSE, nothing else. */
async function startBaseline(): Promise<{ close: () => Promise<void> }> {
  const channel = BASELINE_CHANNEL;
  const publisher = new Redis(REDIS_URL);
  const subscriber = new Redis(REDIS_URL);
  const clients = new Set<http.ServerResponse>();
  await subscriber.subscribe(channel);
  subscriber.on("message", (_channel: string, message: string) => {
    for (const client of clients) client.write(`event: counts\ndata: ${message}\n\n`);
  });
  const server = http.createServer((request, response) => {
    if (request.method === "GET" && request.url === "/stream") {
      response.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
      response.write(": connected\n\n");
      clients.add(response);
      request.on("close", () => clients.delete(response));
      return;
    }
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const events = (Array.isArray(parsed) ? parsed : [parsed]) as { event_type: string; region?: string }[];
      // The same message shape the processor publishes (per type and region).
      const counts = new Map<string, { t: string; r: string; s: number; n: number }>();
      const second = Math.floor(Date.now() / 1000);
      for (const event of events) {
        const key = `${event.event_type}|${event.region ?? ""}`;
        const entry = counts.get(key) ?? { t: event.event_type, r: event.region ?? "", s: second, n: 0 };
        entry.n++;
        counts.set(key, entry);
      }
      publisher.publish(channel, JSON.stringify({ kind: "counts", counts: [...counts.values()] })).then(
        () => {
          response.writeHead(202, { "Content-Type": "application/json" });
          response.end('{"accepted":true}');
        },
        () => {
          response.writeHead(503);
          response.end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(BASELINE_PORT, "127.0.0.1", resolve));
  return {
    close: async () => {
      for (const client of clients) client.end();
      await new Promise((resolve) => server.close(resolve));
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}

function report(name: string, result: RunResult) {
  const sorted = [...result.latencies].sort((a, b) => a - b);
  const toRedis = [...result.redisLatencies].sort((a, b) => a - b);
  const lost = result.probesSent - result.latencies.length;
  return {
    name,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    redisP50: percentile(toRedis, 50),
    redisP99: percentile(toRedis, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    rate: result.eventsAccepted / result.seconds,
    probes: result.latencies.length,
    lost,
    failed: result.failedRequests,
  };
}

async function main(): Promise<void> {
  await sh("bash", ["scripts/kafka/kafka.sh", "start"]);
  await sh("npm", ["run", "--silent", "db:setup"]);
  await ensureNextBuild();
  const { key } = await createIngestKey({ projectId: "default", name: `bench live ${runId}` });
  const viewer = await ensureUser({ email: `bench-live-${runId}@bench.example`, role: "viewer" });
  const { token } = await createApiToken({ userId: viewer.id, projectId: "default", name: "bench" });
  ingestHeaders.Authorization = `Bearer ${key}`;
  viewerHeaders.Authorization = `Bearer ${token}`;
  const env = {
    AUTH_SECRET: `bench-auth-secret-${runId}-0123456789abcdefghij`,
    SECRETS_KEY: Buffer.alloc(32, 5).toString("base64"),
    RATE_LIMIT_PER_IP: "1000000",
    RATE_LIMIT_INGEST_PER_KEY: "1000000",
    LOG_LEVEL: "warn",
    KAFKA_TOPIC_PREFIX: `bench-live-${runId}.`,
    REDIS_KEY_PREFIX: `bench-live-${runId}:`,
    PROCESSOR_GROUP_ID: `bench-live-${runId}`,
    METRICS_PORT: "0",
    // every probe has a region of its own (200 in a 20 s run, with the load's): under the default
    // bound of 200 regions the last probes' counts went to "other" and were reported lost
    AGGREGATION_REGION_LIMIT: "100000",
  };
  const web = await startNext(ROOT, NEXT_PORT, env, PROCESSES);
  const processor = startWorker("processor", env);
  const baseline = await startBaseline();
  try {
    // The processor is ready once a first event makes it all the way to the stream.
    console.log("waiting for the processor ...");
    const ready = `ready-${runId}`;
    let seen = false;
    const close = await openSse(`http://127.0.0.1:${NEXT_PORT}/api/stream`, (_event, data) => {
      if (data.includes(ready)) seen = true;
    });
    const deadline = Date.now() + 90_000;
    while (!seen) {
      if (Date.now() > deadline) throw new Error("the processor did not report an event within 90 s");
      await fetch(`http://127.0.0.1:${NEXT_PORT}/api/events`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...ingestHeaders },
        body: JSON.stringify({ event_type: "page_view", region: ready }),
      });
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    close();

    console.log(`baseline: ${RATE} events/s for ${SECONDS} s ...`);
    const bare = report(
      "bare Node + Redis pub/sub",
      await measure(
        "bare",
        `http://127.0.0.1:${BASELINE_PORT}/events`,
        `http://127.0.0.1:${BASELINE_PORT}/stream`,
        BASELINE_CHANNEL,
      ),
    );
    console.log(`pipeline: ${RATE} events/s for ${SECONDS} s ...`);
    const real = report(
      `POST -> Kafka -> SSE (${PROCESSES} web proc.)`,
      await measure(
        "real",
        `http://127.0.0.1:${NEXT_PORT}/api/events`,
        `http://127.0.0.1:${NEXT_PORT}/api/stream`,
        LIVE_CHANNEL,
      ),
    );

    const ms = (value: number) => value.toFixed(1).padStart(8);
    console.log("");
    console.log(
      `POST -> event on an SSE client; probes every ${PROBE_EVERY_MS} ms under ${RATE} events/s (batches of ${BATCH}), ${SECONDS} s`,
    );
    console.log(
      "path                                  p50 ms   p99 ms   max ms   achieved ev/s  probes  lost  failed  to Redis p50/p99 ms",
    );
    for (const row of [real, bare]) {
      console.log(
        [
          row.name.padEnd(36),
          ms(row.p50),
          ms(row.p99),
          ms(row.max),
          Math.round(row.rate).toLocaleString("en").padStart(15),
          String(row.probes).padStart(7),
          String(row.lost).padStart(5),
          String(row.failed).padStart(7),
          `${row.redisP50.toFixed(1)} / ${row.redisP99.toFixed(1)}`.padStart(21),
        ].join(" "),
      );
    }
    console.log("");
    console.log(`p99 ratio pipeline / bare: ${(real.p99 / bare.p99).toFixed(1)}x`);
    console.log(
      `of which Redis -> SSE client (the web process's hub), p50: ${(real.p50 - real.redisP50).toFixed(1)} ms`,
    );
    console.log(`target p99 <= 100 ms at ${RATE} events/s: ${real.p99 <= 100 ? "met" : "NOT met"}`);
  } finally {
    await baseline.close();
    await stop(processor);
    await stop(web);
    // the pool that made the credentials would keep the process alive after the figures
    await closeDb();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
