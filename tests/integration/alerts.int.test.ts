import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnomalyDto, DeliveryDto, IncidentDto, RuleDto } from "@/lib/alerts/dto";
import { verifySignature } from "@/lib/alerts/signature";
import type { WebhookPayload } from "@/lib/alerts/webhook-payload";
import { authHeaders, testClients } from "../support/clients";
import { closedWindow, normalCounts, produceClosedWindows } from "../support/closed-windows";
import { spawnLogged } from "../support/stack";
import { waitFor } from "../support/wait-for";

const clients = testClients();
const tag = randomBytes(4).toString("hex");
const SECRET = `secret-${tag}`;
const STEP = 300_000;
/** Far enough in the past that no real window of the test stack overlaps. */
const HISTORY_START = Math.floor((Date.now() - 5 * 86_400_000) / STEP) * STEP;

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: WebhookPayload;
}

/** A webhook receiver on 127.0.0.1 that records every request. */
async function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      received.push({ headers: request.headers, raw, body: JSON.parse(raw) as WebhookPayload });
      response.statusCode = 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hooks/${tag}`, received };
}

/** A URL on 127.0.0.1 where nothing listens: a port we held, then released. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/down`;
}

async function api<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(`${clients.baseUrl}${path}`, {
    ...init,
    headers: { "Content-Type": "application/json", ...authHeaders("member"), ...init.headers },
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

async function createRule(body: Record<string, unknown>): Promise<RuleDto> {
  const { status, body: created } = await api<{ rule: RuleDto }>("/api/alerts/rules", {
    method: "POST",
    body: JSON.stringify(body),
  });
  expect(status).toBe(201);
  return created.rule;
}

async function deliveriesOf(ruleId: string): Promise<DeliveryDto[]> {
  return (
    await api<{ data: DeliveryDto[]; next_cursor: string | null }>(`/api/alerts/deliveries?rule_id=${ruleId}`)
  ).body.data;
}

/** Waits until the worker has learned `windowStartMs` for the series (its windows before are done). */
async function waitUntilLearned(eventType: string, windowStartMs: number): Promise<void> {
  await waitFor(
    async () => {
      const rows = await clients.sql<{ last: Date }[]>`
        select last_window_start as last from detector_states
        where event_type = ${eventType} and region = '*' and metric = 'count'`;
      return (rows[0]?.last.getTime() ?? 0) >= windowStartMs;
    },
    {
      timeoutMs: 60_000,
      what: `the anomaly worker to process ${eventType} up to ${new Date(windowStartMs).toISOString()}`,
    },
  );
}

const workers: ChildProcess[] = [];
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  receiver = await startReceiver();
  const env = {
    ...clients.env,
    ANOMALY_GROUP_ID: `analytics-anomaly-test-${tag}`,
    ALERT_WEBHOOK_BACKOFF_MS: "100",
    ALERT_WEBHOOK_TIMEOUT_MS: "2000",
    ALERT_NO_DATA_CHECK_MS: "1000",
  };
  for (const role of ["anomaly", "alerts"]) {
    workers.push(
      spawnLogged(
        `${role}-${tag}`,
        process.execPath,
        ["--conditions=react-server", "--import", "tsx", "workers/main.ts", role],
        env,
      ),
    );
  }
});

afterAll(async () => {
  await Promise.all(
    workers.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      await exited;
    }),
  );
  await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
  await clients.close();
});

describe("alert rules API", () => {
  it("answers field-level errors for an invalid rule", async () => {
    const { status, body } = await api<{ error: { code: string; details: { path: string }[] } }>(
      "/api/alerts/rules",
      {
        method: "POST",
        body: JSON.stringify({
          name: "",
          condition: { type: "threshold", operator: "above" },
          channels: { in_app: false, webhook: { url: "ftp://example.com/x" } },
        }),
      },
    );
    expect(status).toBe(400);
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.details.map((detail) => detail.path)).toEqual(
      expect.arrayContaining(["name", "condition.value", "channels.webhook.url"]),
    );
  });

  it("creates, reads, updates, lists and deletes a rule", async () => {
    const rule = await createRule({
      name: `crud ${tag}`,
      event_type: `crud_${tag}`,
      condition: { type: "threshold", operator: "above", value: 5 },
      channels: { in_app: true, webhook: { url: receiver.url, secret: SECRET } },
    });
    // the URL is masked in answers and the secret stored encrypted
    expect(rule).toMatchObject({
      state: "ok",
      channels: { webhook: { url: receiver.url.replace(/\/[^/]*$/, "/…"), has_secret: true } },
    });
    expect(JSON.stringify(rule)).not.toContain(SECRET);
    expect(JSON.stringify(rule)).not.toContain(`/hooks/${tag}`);
    const [stored] = await clients.sql<{ webhook_url: string; webhook_secret: string }[]>`
      SELECT webhook_url, webhook_secret FROM alert_rules WHERE id = ${rule.id}`;
    expect(stored?.webhook_url).toBe(receiver.url);
    expect(stored?.webhook_secret).toMatch(/^enc:v1:/);
    expect(stored?.webhook_secret).not.toContain(SECRET);

    const muted = await api<{ rule: RuleDto }>(`/api/alerts/rules/${rule.id}`, {
      method: "PATCH",
      body: JSON.stringify({ muted_until: new Date(Date.now() + 3_600_000).toISOString() }),
    });
    expect(muted.status).toBe(200);
    expect(muted.body.rule.state).toBe("muted");
    expect(muted.body.rule.channels.webhook?.has_secret).toBe(true);
    // the masked URL sent back (as the form does) keeps the stored one
    const resent = await api<{ rule: RuleDto }>(`/api/alerts/rules/${rule.id}`, {
      method: "PATCH",
      body: JSON.stringify({ channels: { in_app: true, webhook: { url: rule.channels.webhook?.url } } }),
    });
    expect(resent.status).toBe(200);
    const [kept] = await clients.sql<{ webhook_url: string }[]>`
      SELECT webhook_url FROM alert_rules WHERE id = ${rule.id}`;
    expect(kept?.webhook_url).toBe(receiver.url);

    const bad = await api<{ error: { details: { path: string }[] } }>(`/api/alerts/rules/${rule.id}`, {
      method: "PATCH",
      body: JSON.stringify({ for_windows: 0 }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0]?.path).toBe("for_windows");

    const list = await api<{ data: RuleDto[]; next_cursor: string | null }>("/api/alerts/rules");
    expect(list.body.data.find((entry) => entry.id === rule.id)?.state).toBe("muted");

    expect((await api(`/api/alerts/rules/${rule.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await api(`/api/alerts/rules/${rule.id}`)).status).toBe(404);
    expect((await api("/api/alerts/rules/not-a-uuid")).status).toBe(404);
  });
});

describe("anomaly → incident → signed webhook", () => {
  const eventType = `spike_${tag}`;
  const history = normalCounts(220);
  const spikeStart = HISTORY_START + history.length * STEP;
  let rule: RuleDto;

  it("writes an anomaly and sends exactly one signed firing notification", async () => {
    rule = await createRule({
      name: `spike ${tag}`,
      event_type: eventType,
      region: "*",
      metric: "count",
      condition: { type: "anomaly", sensitivity: "high" },
      severity: "high",
      channels: { in_app: true, webhook: { url: receiver.url, secret: SECRET } },
    });
    const windows = [...history, 1500].map((count, i) =>
      closedWindow(eventType, "*", HISTORY_START + i * STEP, count),
    );
    await produceClosedWindows(clients.kafka, clients.env.KAFKA_TOPIC_PREFIX ?? "", windows);

    let anomaly: AnomalyDto | undefined;
    await waitFor(
      async () => {
        const { body } = await api<{ data: AnomalyDto[]; next_cursor: string | null }>(
          `/api/anomalies?type=${eventType}&metric=count`,
        );
        anomaly = body.data[0];
        return anomaly !== undefined;
      },
      { timeoutMs: 60_000, what: "an anomaly row for the spike" },
    );
    expect(anomaly).toMatchObject({
      event_type: eventType,
      region: "*",
      window_start: new Date(spikeStart).toISOString(),
      observed: 1500,
      direction: "spike",
      status: "open",
    });
    expect(anomaly?.score).toBeGreaterThanOrEqual(0.5);

    await waitFor(() => receiver.received.some((entry) => entry.body.rule.id === rule.id), {
      timeoutMs: 30_000,
      what: "the firing notification",
    });
    const firing = receiver.received.filter((entry) => entry.body.rule.id === rule.id);
    expect(firing).toHaveLength(1);
    const [notification] = firing;
    expect(notification?.body).toMatchObject({
      kind: "firing",
      series: { event_type: eventType, region: "*", metric: "count", window_seconds: 300 },
      window: { start: new Date(spikeStart).toISOString() },
      observed: 1500,
    });
    expect(notification?.body.links.anomaly).toContain(`/anomalies/${anomaly?.id}`);
    const signature = String(notification?.headers["x-pulse-signature"]);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, notification?.raw ?? "", signature)).toBe(true);

    const rules = await api<{ data: RuleDto[]; next_cursor: string | null }>("/api/alerts/rules");
    expect(rules.body.data.find((entry) => entry.id === rule.id)?.state).toBe("firing");
  });

  it("sends one resolved notification when the series is back to normal", async () => {
    const after = normalCounts(10, 100, 99).map((count, i) =>
      closedWindow(eventType, "*", spikeStart + (i + 1) * STEP, count),
    );
    await produceClosedWindows(clients.kafka, clients.env.KAFKA_TOPIC_PREFIX ?? "", after);
    await waitFor(
      () => receiver.received.some((e) => e.body.rule.id === rule.id && e.body.kind === "resolved"),
      {
        timeoutMs: 30_000,
        what: "the resolved notification",
      },
    );
    await waitUntilLearned(eventType, spikeStart + 10 * STEP);

    // Redelivered windows (at-least-once) change nothing: no new anomaly, incident or notification.
    const spike = closedWindow(eventType, "*", spikeStart, 1500);
    const marker = closedWindow(eventType, "*", spikeStart + 11 * STEP, 100);
    await produceClosedWindows(clients.kafka, clients.env.KAFKA_TOPIC_PREFIX ?? "", [
      spike,
      ...after,
      marker,
    ]);
    await waitUntilLearned(eventType, spikeStart + 11 * STEP);

    await waitFor(async () => (await deliveriesOf(rule.id)).every((d) => d.status === "delivered"), {
      timeoutMs: 30_000,
      what: "both deliveries to be delivered",
    });
    const kinds = receiver.received.filter((e) => e.body.rule.id === rule.id).map((e) => e.body.kind);
    expect(kinds).toEqual(["firing", "resolved"]);
    const deliveries = await deliveriesOf(rule.id);
    expect(deliveries.map((d) => d.kind).sort()).toEqual(["firing", "resolved"]);
    expect(deliveries.every((d) => d.attempts === 1 && d.attempt_log[0]?.status_code === 204)).toBe(true);
    // one per page: the cursor leads to the other, and the last page says so
    type Page = { data: DeliveryDto[]; next_cursor: string | null };
    const first = await api<Page>(`/api/alerts/deliveries?rule_id=${rule.id}&limit=1`);
    expect(first.body.data).toHaveLength(1);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await api<Page>(
      `/api/alerts/deliveries?rule_id=${rule.id}&limit=1&cursor=${first.body.next_cursor ?? ""}`,
    );
    expect(second.body.data.map((d) => d.id)).toEqual(
      deliveries.map((d) => d.id).filter((id) => id !== first.body.data[0]?.id),
    );
    expect(second.body.next_cursor).toBeNull();
    const forged = await api<{ error: { details: { path: string }[] } }>(
      `/api/alerts/deliveries?rule_id=${rule.id}&cursor=bm90LWEtY3Vyc29y`,
    );
    expect(forged.status).toBe(400);
    expect(forged.body.error.details[0]?.path).toBe("cursor");

    const incidents = await api<{ data: IncidentDto[]; next_cursor: string | null }>(
      `/api/alerts/incidents?rule_id=${rule.id}`,
    );
    expect(incidents.body.data).toHaveLength(1);
    expect(incidents.body.data[0]).toMatchObject({ status: "resolved", notified: true });
    const anomalies = await api<{ data: AnomalyDto[]; next_cursor: string | null }>(
      `/api/anomalies?type=${eventType}&metric=count`,
    );
    expect(anomalies.body.data).toHaveLength(1);
  });

  it("shows the anomaly with its series and takes acknowledge/resolve", async () => {
    const { body } = await api<{ data: AnomalyDto[]; next_cursor: string | null }>(
      `/api/anomalies?type=${eventType}&metric=count`,
    );
    const id = body.data[0]?.id;
    const detail = await api<{
      anomaly: AnomalyDto;
      points: { observed: number; expected: number | null }[];
    }>(`/api/anomalies/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.points.length).toBeGreaterThan(20);
    expect(detail.body.points.at(-1)?.observed).toBe(1500);
    expect(detail.body.points.every((point) => point.expected !== null)).toBe(true);

    const acknowledged = await api<{ anomaly: AnomalyDto }>(`/api/anomalies/${id}`, {
      method: "PATCH",
      body: JSON.stringify({ status: "acknowledged" }),
    });
    expect(acknowledged.body.anomaly.status).toBe("acknowledged");
    expect(acknowledged.body.anomaly.acknowledged_at).not.toBeNull();
    const bad = await api(`/api/anomalies/${id}`, {
      method: "PATCH",
      body: JSON.stringify({ status: "gone" }),
    });
    expect(bad.status).toBe(400);
    const filtered = await api<{ data: AnomalyDto[]; next_cursor: string | null }>(
      `/api/anomalies?type=${eventType}&metric=count&status=open`,
    );
    expect(filtered.body.data).toHaveLength(0);
  });
});

describe("incidents and test notifications", () => {
  it("fires a threshold rule once per incident and lets a user acknowledge it", async () => {
    const eventType = `threshold_${tag}`;
    const rule = await createRule({
      name: `threshold ${tag}`,
      event_type: eventType,
      condition: { type: "threshold", operator: "above", value: 50 },
      for_windows: 2,
      channels: { in_app: true, webhook: null },
    });
    const counts = [10, 60, 70, 80, 90];
    await produceClosedWindows(
      clients.kafka,
      clients.env.KAFKA_TOPIC_PREFIX ?? "",
      counts.map((count, i) => closedWindow(eventType, "*", HISTORY_START + i * STEP, count)),
    );
    let incidents: IncidentDto[] = [];
    await waitFor(
      async () => {
        incidents = (
          await api<{ data: IncidentDto[]; next_cursor: string | null }>(
            `/api/alerts/incidents?rule_id=${rule.id}`,
          )
        ).body.data;
        return incidents.length > 0;
      },
      { timeoutMs: 30_000, what: "the incident" },
    );
    await waitUntilLearned(eventType, HISTORY_START + 4 * STEP);
    incidents = (
      await api<{ data: IncidentDto[]; next_cursor: string | null }>(
        `/api/alerts/incidents?rule_id=${rule.id}`,
      )
    ).body.data;
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      status: "open",
      fired_window_start: new Date(HISTORY_START + 2 * STEP).toISOString(),
      observed: 70,
    });
    const id = incidents[0]?.id ?? "";
    const acknowledged = await api<{ incident: IncidentDto }>(`/api/alerts/incidents/${id}/acknowledge`, {
      method: "POST",
    });
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body.incident.status).toBe("acknowledged");
    const rules = await api<{ data: RuleDto[]; next_cursor: string | null }>("/api/alerts/rules");
    expect(rules.body.data.find((entry) => entry.id === rule.id)?.state).toBe("firing");
  });

  it("sends a signed test notification on demand", async () => {
    const rule = await createRule({
      name: `test-button ${tag}`,
      condition: { type: "threshold", operator: "above", value: 1e12 },
      channels: { in_app: false, webhook: { url: receiver.url, secret: SECRET } },
    });
    const sent = await api<{ delivery: DeliveryDto }>(`/api/alerts/rules/${rule.id}/test`, {
      method: "POST",
    });
    expect(sent.status).toBe(202);
    await waitFor(() => receiver.received.some((e) => e.body.rule.id === rule.id), {
      timeoutMs: 30_000,
      what: "the test notification",
    });
    const test = receiver.received.find((e) => e.body.rule.id === rule.id);
    expect(test?.body.kind).toBe("test");
    expect(verifySignature(SECRET, test?.raw ?? "", String(test?.headers["x-pulse-signature"]))).toBe(true);
  });
});

describe("a webhook secret stored before encryption at rest", () => {
  it("still signs deliveries, and is encrypted when its rule is next saved", async () => {
    const rule = await createRule({
      name: `legacy ${tag}`,
      condition: { type: "threshold", operator: "above", value: 1e12 },
      channels: { in_app: false, webhook: { url: receiver.url, secret: SECRET } },
    });
    const legacy = `legacy-${SECRET}`;
    await clients.sql`UPDATE alert_rules SET webhook_secret = ${legacy} WHERE id = ${rule.id}`;
    expect((await api(`/api/alerts/rules/${rule.id}/test`, { method: "POST" })).status).toBe(202);
    await waitFor(() => receiver.received.some((e) => e.body.rule.id === rule.id), {
      timeoutMs: 30_000,
      what: "the test notification of the legacy rule",
    });
    const sent = receiver.received.find((e) => e.body.rule.id === rule.id);
    expect(verifySignature(legacy, sent?.raw ?? "", String(sent?.headers["x-pulse-signature"]))).toBe(true);

    const renamed = await api(`/api/alerts/rules/${rule.id}`, {
      method: "PATCH",
      body: JSON.stringify({ name: `legacy renamed ${tag}` }),
    });
    expect(renamed.status).toBe(200);
    const [stored] = await clients.sql<{ webhook_secret: string }[]>`
      SELECT webhook_secret FROM alert_rules WHERE id = ${rule.id}`;
    expect(stored?.webhook_secret).toMatch(/^enc:v1:/);
    expect(stored?.webhook_secret).not.toContain(legacy);
  });
});

describe("webhook down", () => {
  it("retries with backoff, then dead-letters, both visible through the API", async () => {
    const eventType = `down_${tag}`;
    const rule = await createRule({
      name: `down ${tag}`,
      event_type: eventType,
      condition: { type: "threshold", operator: "above", value: 50 },
      channels: { in_app: true, webhook: { url: await deadUrl(), secret: SECRET } },
    });
    await produceClosedWindows(clients.kafka, clients.env.KAFKA_TOPIC_PREFIX ?? "", [
      closedWindow(eventType, "*", HISTORY_START, 500),
    ]);
    await waitFor(async () => (await deliveriesOf(rule.id))[0]?.status === "dead_lettered", {
      timeoutMs: 60_000,
      what: "the delivery to be dead-lettered",
    });
    const [dead] = await deliveriesOf(rule.id);
    expect(dead).toMatchObject({ kind: "firing", status: "dead_lettered", attempts: 5, max_attempts: 5 });
    expect(dead?.attempt_log.map((attempt) => attempt.outcome)).toEqual([
      "retry",
      "retry",
      "retry",
      "retry",
      "dead_lettered",
    ]);
    expect(dead?.attempt_log.every((attempt) => attempt.status_code === null && attempt.error)).toBe(true);
    // Exponential backoff: each wait at least as long as the one before.
    const times = dead?.attempt_log.map((attempt) => Date.parse(attempt.attempted_at)) ?? [];
    const gaps = times.slice(1).map((time, i) => time - (times[i] ?? 0));
    expect(gaps.at(-1) ?? 0).toBeGreaterThan(gaps[0] ?? 0);

    const deadLetters = await api<{ data: DeliveryDto[]; next_cursor: string | null }>(
      "/api/alerts/deliveries?status=dead_lettered",
    );
    expect(deadLetters.body.data.map((delivery) => delivery.id)).toContain(dead?.id);
  });
});
