/**
 * The kafkajs patch (patches/kafkajs+2.2.4.patch, src/producer/sendMessages.js): a send whose
 * partitions live on two brokers, one of which answers NOT_LEADER because the partition just
 * moved to the other. Upstream's retry skipped the broker that had already answered, so the
 * moved partition was never sent and the send resolved as written: acknowledged events lost
 * (the three-broker failover test, tests/cluster, saw it). Drives kafkajs's own sendMessages
 * with a stand-in cluster, so the leader change happens exactly between two attempts.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);

interface SendOptions {
  acks: number;
  timeout: number;
  compression: number;
  topicMessages: { topic: string; messages: { partition: number; value: string }[] }[];
}
type SendMessages = (options: SendOptions) => Promise<{ topicName: string; partition: number }[]>;
type CreateSendMessages = (deps: Record<string, unknown>) => SendMessages;
interface ProduceCall {
  topicData: { topic: string; partitions: { partition: number; messages: unknown[] }[] }[];
}

const createSendMessages = require("kafkajs/src/producer/sendMessages") as CreateSendMessages;
const { createErrorFromCode } = require("kafkajs/src/protocol/error") as {
  createErrorFromCode: (code: number) => Error;
};
const NOT_LEADER_OR_FOLLOWER = 6;
const TOPIC = "events.click";
/** A send to both partitions: a record for each. */
const ONE_RECORD_PER_PARTITION: SendOptions = {
  acks: -1,
  timeout: 1000,
  compression: 0,
  topicMessages: [
    {
      topic: TOPIC,
      messages: [
        { partition: 0, value: "a" },
        { partition: 1, value: "b" },
      ],
    },
  ],
};

/** Two brokers; partition 1 leaves broker 2 for broker 1 when the metadata is refreshed. */
function twoBrokers() {
  // where the partitions really are (partition 1 has just moved to broker 1), and where the
  // client believes they are until it refreshes its metadata
  const leaders: Record<number, number> = { 0: 1, 1: 1 };
  const believed: Record<number, number> = { 0: 1, 1: 2 };
  const calls: Record<number, ProduceCall[]> = { 1: [], 2: [] };
  const broker = (nodeId: number) => ({
    nodeId,
    produce: async (request: ProduceCall) => {
      calls[nodeId]?.push(request);
      // the old leader of partition 1 refuses it until the client learns the new leader, and
      // answers after the other broker did (as a broker that just lost leadership does)
      if (request.topicData.some((topic) => topic.partitions.some((p) => leaders[p.partition] !== nodeId))) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw createErrorFromCode(NOT_LEADER_OR_FOLLOWER);
      }
      return {
        topics: request.topicData.map(({ topic, partitions }) => ({
          topicName: topic,
          partitions: partitions.map(({ partition }) => ({ partition, errorCode: 0, baseOffset: "0" })),
        })),
      };
    },
  });
  const brokers = { 1: broker(1), 2: broker(2) };
  let refreshed = false;
  const cluster = {
    targetTopics: new Set<string>(),
    refreshMetadataIfNecessary: async () => undefined,
    refreshMetadata: async () => {
      refreshed = true;
    },
    addMultipleTargetTopics: async () => undefined,
    isConnected: () => true,
    findTopicPartitionMetadata: () =>
      [0, 1].map((partitionId) => ({
        partitionId,
        leader: (refreshed ? leaders : believed)[partitionId],
      })),
    findLeaderForPartitions: (_topic: string, partitions: string[]) => {
      const result: Record<number, number[]> = {};
      for (const id of partitions.map(Number)) {
        const leader = (refreshed ? leaders : believed)[id] ?? 0;
        (result[leader] ??= []).push(id);
      }
      return result;
    },
    findBroker: async ({ nodeId }: { nodeId: number }) => brokers[nodeId as 1 | 2],
  };
  return { cluster, calls };
}

const eosManager = {
  isTransactional: () => false,
  getSequence: () => 0,
  updateSequence: () => undefined,
  acquireBrokerLock: async () => undefined,
  releaseBrokerLock: async () => undefined,
  getProducerId: () => -1,
  getProducerEpoch: () => 0,
};

/** kafkajs's retrier contract: call until it resolves, at most `retries + 1` times. */
const retrier =
  (retries: number) =>
  async <T>(
    attempt: (bail: (error: Error) => never, retryCount: number, retryTime: number) => Promise<T>,
  ) => {
    let last: unknown;
    for (let count = 0; count <= retries; count++) {
      try {
        return await attempt(
          (error) => {
            throw error;
          },
          count,
          0,
        );
      } catch (error) {
        last = error;
      }
    }
    throw last;
  };

const logger = {
  debug: () => undefined,
  error: () => undefined,
  info: () => undefined,
  warn: () => undefined,
};

describe("kafkajs send through a leader change (patched)", () => {
  it("sends the moved partition to its new leader, though that broker already answered", async () => {
    const { cluster, calls } = twoBrokers();
    const send = createSendMessages({
      logger,
      cluster,
      partitioner: ({ message }: { message: { partition: number } }) => message.partition,
      eosManager,
      retrier: retrier(3),
    });
    const acknowledged = await send(ONE_RECORD_PER_PARTITION);
    expect(acknowledged.map((entry) => `${entry.topicName}/${entry.partition}`).sort()).toEqual([
      `${TOPIC}/0`,
      `${TOPIC}/1`,
    ]);
    // partition 1 reached broker 1 on the retry; partition 0 was not sent twice
    const sentToBroker1 = (calls[1] ?? []).flatMap((call) =>
      call.topicData.flatMap((topic) => topic.partitions.map((p) => p.partition)),
    );
    expect(sentToBroker1).toEqual([0, 1]);
  });

  it("fails, never resolves, when no leader is known for a partition", async () => {
    const { cluster } = twoBrokers();
    const send = createSendMessages({
      logger,
      cluster: { ...cluster, findLeaderForPartitions: () => ({ 1: [0] }) },
      partitioner: ({ message }: { message: { partition: number } }) => message.partition,
      eosManager,
      retrier: retrier(1),
    });
    await expect(send(ONE_RECORD_PER_PARTITION)).rejects.toThrow(/partition 1/);
  });
});
