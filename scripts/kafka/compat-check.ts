/**
 * Proves that kafkajs (the client this project uses) works against the local
 * broker started by `bash scripts/kafka/kafka.sh start`, one protocol feature at
 * a time: admin topic creation with configs, the idempotent producer (acks=-1,
 * headers, batches), consumer groups with eachBatch + commits, a rebalance when
 * a second member joins, committed offset lookup, seek, and topic offsets.
 *
 *   npx tsx scripts/kafka/compat-check.ts        (KAFKA_BROKERS or KAFKA_PORT to point elsewhere)
 *
 * Prints one OK/FAIL line per step and exits 1 on the first failure (after
 * printing the kafkajs log lines of that step). Topic and group names are
 * random and are deleted at the end. See docs/kafka.md.
 */
import { randomBytes } from "node:crypto";
import kafkajs, {
  CompressionTypes,
  Kafka,
  logLevel,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  type LogEntry,
  type Producer,
} from "kafkajs";

// Not a named export Node's ESM loader can see in the CommonJS build of kafkajs.
const { ConfigResourceTypes } = kafkajs;

const brokers = (process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? "9092"}`)
  .split(",")
  .map((b) => b.trim())
  .filter(Boolean);
const suffix = randomBytes(4).toString("hex");
const topic = `compat-check-${suffix}`;
const groupId = `compat-check-${suffix}`;
const PARTITIONS = 3;
const RETENTION_MS = "3600000";
const FIRST_BATCHES = 5;
const PER_BATCH = 60;
const STEP_TIMEOUT_MS = 30_000;

const levelNames = new Map<number, string>([
  [logLevel.ERROR, "ERROR"],
  [logLevel.WARN, "WARN"],
  [logLevel.INFO, "INFO"],
  [logLevel.DEBUG, "DEBUG"],
]);
// kafkajs logs are kept per step and printed only when that step fails.
let stepLogs: string[] = [];
const logCreator = () => (entry: LogEntry) => {
  const { message, ...extra } = entry.log;
  const level = levelNames.get(entry.level) ?? String(entry.level);
  stepLogs.push(`  [kafkajs ${level}] ${entry.namespace}: ${message} ${JSON.stringify(extra)}`);
};

const kafka = new Kafka({
  clientId: "compat-check",
  brokers,
  connectionTimeout: 2000,
  requestTimeout: 10_000,
  retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
  logLevel: logLevel.INFO,
  logCreator,
});

class CheckFailed extends Error {}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckFailed(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, ms = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new CheckFailed(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let failed = false;
async function step(name: string, fn: () => Promise<string | void>): Promise<void> {
  if (failed) return;
  stepLogs = [];
  const started = Date.now();
  try {
    const detail = await withTimeout(fn(), STEP_TIMEOUT_MS * 2, name);
    console.log(`OK    ${name} (${Date.now() - started} ms)${detail ? ` ${detail}` : ""}`);
  } catch (error) {
    failed = true;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    console.log(`FAIL  ${name} (${Date.now() - started} ms): ${reason}`);
    if (stepLogs.length) console.log(stepLogs.slice(-40).join("\n"));
  }
}

function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

interface Received {
  member: string;
  partition: number;
  offset: string;
  key: string;
  value: string;
  batchHeader: string | undefined;
  seqHeader: string | undefined;
}

/** eachBatch handler that records messages, resolves offsets and commits after each batch. */
function recorder(member: string, into: Received[]) {
  return async ({
    batch,
    resolveOffset,
    heartbeat,
    commitOffsetsIfNecessary,
    isRunning,
  }: EachBatchPayload) => {
    for (const message of batch.messages) {
      if (!isRunning()) break;
      into.push({
        member,
        partition: batch.partition,
        offset: message.offset,
        key: message.key?.toString() ?? "",
        value: message.value?.toString() ?? "",
        batchHeader: headerString(message.headers, "x-batch"),
        seqHeader: headerString(message.headers, "x-seq"),
      });
      resolveOffset(message.offset);
    }
    await heartbeat();
    await commitOffsetsIfNecessary();
  };
}

// kafkajs has no consumer.assignment(): the assignment comes with each GROUP_JOIN event.
interface Member {
  consumer: Consumer;
  joins: number;
  partitions: number[];
}

function track(consumer: Consumer): Member {
  const member: Member = { consumer, joins: 0, partitions: [] };
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    member.joins++;
    member.partitions = [...(event.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
  });
  return member;
}

async function main() {
  console.log(`kafkajs compat check against ${brokers.join(",")} (topic ${topic}, group ${groupId})`);
  const admin: Admin = kafka.admin();
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    retry: { retries: 4, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const consumers: Consumer[] = [];
  const newConsumer = (group = groupId) => {
    const consumer = kafka.consumer({
      groupId: group,
      allowAutoTopicCreation: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
      rebalanceTimeout: 10_000,
      maxWaitTimeInMs: 200,
    });
    consumers.push(consumer);
    return consumer;
  };
  const firstReceived: Received[] = [];
  const secondReceived: Received[] = [];
  let sent = 0;

  await step("admin: connect + describeCluster", async () => {
    await admin.connect();
    const cluster = await admin.describeCluster();
    assert(cluster.brokers.length >= 1, "no brokers in metadata");
    return `cluster ${cluster.clusterId}, brokers ${cluster.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`).join(",")}, controller ${cluster.controller}`;
  });

  await step("admin: createTopics (numPartitions, replicationFactor, retention.ms)", async () => {
    const created = await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: PARTITIONS,
          replicationFactor: 1,
          configEntries: [{ name: "retention.ms", value: RETENTION_MS }],
        },
      ],
    });
    assert(created, "createTopics returned false (topic already existed?)");
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics[0]?.partitions ?? [];
    assert(
      partitions.length === PARTITIONS,
      `expected ${PARTITIONS} partitions, metadata has ${partitions.length}`,
    );
    assert(
      partitions.every((p) => p.leader >= 0 && p.replicas.length === 1),
      `unexpected leaders/replicas: ${JSON.stringify(partitions)}`,
    );
    return `${partitions.length} partitions, leaders ${partitions.map((p) => p.leader).join(",")}`;
  });

  await step("admin: describeConfigs shows retention.ms", async () => {
    const result = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ["retention.ms"] }],
    });
    const entry = result.resources[0]?.configEntries.find((e) => e.configName === "retention.ms");
    assert(entry?.configValue === RETENTION_MS, `retention.ms is ${entry?.configValue ?? "missing"}`);
    return `retention.ms=${entry.configValue}`;
  });

  await step("producer: idempotent connect (InitProducerId)", async () => {
    await producer.connect();
  });

  await step(`producer: ${FIRST_BATCHES} sendBatch calls, acks=-1, headers, keys`, async () => {
    for (let b = 0; b < FIRST_BATCHES; b++) {
      const messages = Array.from({ length: PER_BATCH }, (_, i) => ({
        key: `user-${(b * PER_BATCH + i) % 17}`,
        value: JSON.stringify({ b, i, at: Date.now() }),
        headers: { "x-batch": String(b), "x-seq": String(b * PER_BATCH + i) },
      }));
      const metadata = await producer.sendBatch({
        acks: -1,
        // every other batch compressed, as the broker must store both kinds
        compression: b % 2 === 0 ? CompressionTypes.None : CompressionTypes.GZIP,
        topicMessages: [{ topic, messages }],
      });
      assert(
        metadata.every((m) => m.errorCode === 0),
        `produce errors: ${JSON.stringify(metadata)}`,
      );
      sent += messages.length;
    }
    return `${sent} messages`;
  });

  const c1 = track(newConsumer());
  const first = c1.consumer;
  await step("consumer 1: join group, eachBatch receives every message", async () => {
    await first.connect();
    await first.subscribe({ topics: [topic], fromBeginning: true });
    await first.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      eachBatch: recorder("c1", firstReceived),
    });
    await waitFor("consumer 1 to join", () => c1.joins > 0);
    await waitFor(`${sent} messages (have ${firstReceived.length})`, () => firstReceived.length >= sent);
    const seqs = new Set(firstReceived.map((m) => m.seqHeader));
    assert(seqs.size === sent, `expected ${sent} distinct x-seq headers, got ${seqs.size}`);
    assert(
      firstReceived.every((m) => m.batchHeader !== undefined && m.value.startsWith("{")),
      "a message lost its headers or value",
    );
    assert(firstReceived.length === sent, `received ${firstReceived.length} for ${sent} sent (duplicates?)`);
    return `${firstReceived.length} messages on partitions ${c1.partitions.join(",")}`;
  });

  await step("consumer 1: offsets committed (admin.fetchOffsets)", async () => {
    const topicOffsets = await admin.fetchTopicOffsets(topic);
    const high = new Map(topicOffsets.map((p) => [p.partition, p.high]));
    let committed: { partition: number; offset: string }[] = [];
    await waitFor("committed offsets to reach the high watermarks", async () => {
      const result = await admin.fetchOffsets({ groupId, topics: [topic] });
      committed = result.find((t) => t.topic === topic)?.partitions ?? [];
      return committed.length === PARTITIONS && committed.every((p) => p.offset === high.get(p.partition));
    });
    return committed.map((p) => `p${p.partition}=${p.offset}`).join(" ");
  });

  const c2 = track(newConsumer());
  const second = c2.consumer;
  await step("consumer 2: joins the same group, rebalance splits the partitions", async () => {
    const c1JoinsBefore = c1.joins;
    await second.connect();
    await second.subscribe({ topics: [topic], fromBeginning: true });
    await second.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      eachBatch: recorder("c2", secondReceived),
    });
    await waitFor("both members to (re)join", () => c2.joins > 0 && c1.joins > c1JoinsBefore);
    const all = new Set([...c1.partitions, ...c2.partitions]);
    assert(
      c1.partitions.length > 0 && c2.partitions.length > 0 && all.size === PARTITIONS,
      `assignment is not a full split: c1=[${c1.partitions.join(",")}] c2=[${c2.partitions.join(",")}]`,
    );
    assert(c1.partitions.length + c2.partitions.length === PARTITIONS, "a partition is assigned twice");
    return `c1=[${c1.partitions.join(",")}] c2=[${c2.partitions.join(",")}]`;
  });

  await step("after rebalance: new messages reach both members exactly once", async () => {
    const before = firstReceived.length;
    const perPartition = 20;
    const messages = Array.from({ length: PARTITIONS * perPartition }, (_, i) => ({
      partition: i % PARTITIONS,
      key: `after-${i}`,
      value: JSON.stringify({ after: i }),
      headers: { "x-batch": "after", "x-seq": String(sent + i) },
    }));
    await producer.send({ topic, acks: -1, messages });
    sent += messages.length;
    const fresh = () => [...firstReceived.slice(before), ...secondReceived];
    await waitFor(`${messages.length} new messages`, () => fresh().length >= messages.length);
    const got = fresh();
    const bySeq = new Set(got.map((m) => m.seqHeader));
    assert(
      got.length === messages.length && bySeq.size === messages.length,
      `got ${got.length} (${bySeq.size} distinct) for ${messages.length}`,
    );
    assert(secondReceived.length > 0 && firstReceived.length > before, "one member received nothing");
    return `c1 got ${firstReceived.length - before}, c2 got ${secondReceived.length} (c2 did not re-read committed messages)`;
  });

  await step("admin.fetchOffsets after the rebalance (both members committed)", async () => {
    const topicOffsets = await admin.fetchTopicOffsets(topic);
    const high = new Map(topicOffsets.map((p) => [p.partition, p.high]));
    let committed: { partition: number; offset: string }[] = [];
    await waitFor("committed offsets to reach the new high watermarks", async () => {
      const result = await admin.fetchOffsets({ groupId, topics: [topic] });
      committed = result.find((t) => t.topic === topic)?.partitions ?? [];
      return committed.length === PARTITIONS && committed.every((p) => p.offset === high.get(p.partition));
    });
    return committed.map((p) => `p${p.partition}=${p.offset}`).join(" ");
  });

  await step("consumer 2 leaves: consumer 1 takes all partitions back", async () => {
    const c1JoinsBefore = c1.joins;
    await second.disconnect();
    await waitFor(
      "consumer 1 to rejoin owning every partition",
      () => c1.joins > c1JoinsBefore && c1.partitions.length === PARTITIONS,
    );
    return `c1=[${c1.partitions.join(",")}]`;
  });

  await step("consumer.seek: partition 0 back to offset 0 is read again", async () => {
    const topicOffsets = await admin.fetchTopicOffsets(topic);
    const p0High = Number(topicOffsets.find((p) => p.partition === 0)?.high ?? "0");
    assert(p0High > 0, "partition 0 is empty");
    const mark = firstReceived.length;
    first.seek({ topic, partition: 0, offset: "0" });
    await waitFor(
      `${p0High} messages of partition 0 again`,
      () => firstReceived.slice(mark).filter((m) => m.partition === 0).length >= p0High,
    );
    const again = firstReceived.slice(mark).filter((m) => m.partition === 0);
    assert(again[0]?.offset === "0", `first re-read offset is ${again[0]?.offset}`);
    return `re-read ${again.length} messages from offset 0`;
  });

  await step("admin.fetchTopicOffsets (+ByTimestamp)", async () => {
    const offsets = await admin.fetchTopicOffsets(topic);
    const total = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    assert(offsets.length === PARTITIONS, `${offsets.length} partitions`);
    assert(total === sent, `high-low sums to ${total}, sent ${sent}`);
    const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, Date.now() - 3_600_000);
    assert(
      byTime.every((p) => p.offset === "0"),
      `offsets an hour ago: ${JSON.stringify(byTime)}`,
    );
    return offsets.map((p) => `p${p.partition}=[${p.low},${p.high})`).join(" ");
  });

  // cleanup runs even after a failure
  const cleanupFailed = failed;
  failed = false;
  await step("cleanup: disconnect, deleteGroups, deleteTopics", async () => {
    await Promise.all(consumers.map((c) => c.disconnect()));
    await producer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });
  failed ||= cleanupFailed;

  if (failed) {
    console.log("compat check FAILED");
    process.exit(1);
  }
  console.log("compat check passed");
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error("compat check crashed:", error);
  process.exit(1);
});
