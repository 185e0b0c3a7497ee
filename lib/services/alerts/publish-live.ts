import "server-only";
import type { Redis } from "ioredis";
import type { AnomalyDto, IncidentDto } from "@/lib/alerts/dto";
import type { LiveAlertMessage, LiveAnomalyMessage } from "@/lib/alerts/live";
import { logger } from "@/lib/logger";
import { redisKeys } from "@/lib/redis";

/**
 * Publishes anomalies and incident changes on the live channel, each to the streams of its
 * project. Best effort: the rows are already committed and the pages poll them too, so a
 * Redis outage costs only the live push.
 */
export async function publishLive(
  redis: Redis,
  items: {
    anomalies?: { projectId: string; anomaly: AnomalyDto }[];
    incidents?: { projectId: string; event: LiveAlertMessage["event"]; incident: IncidentDto }[];
  },
): Promise<void> {
  const messages: ((LiveAnomalyMessage | LiveAlertMessage) & { project: string })[] = [
    ...(items.anomalies ?? []).map(({ projectId, anomaly }) => ({
      kind: "anomaly" as const,
      project: projectId,
      anomaly,
    })),
    ...(items.incidents ?? []).map(({ projectId, event, incident }) => ({
      kind: "alert" as const,
      project: projectId,
      event,
      incident,
    })),
  ];
  if (messages.length === 0) return;
  try {
    const pipeline = redis.pipeline();
    for (const message of messages) pipeline.publish(redisKeys.liveChannel(), JSON.stringify(message));
    await pipeline.exec();
  } catch (error) {
    logger.warn({ err: error, messages: messages.length }, "live_publish_failed");
  }
}
