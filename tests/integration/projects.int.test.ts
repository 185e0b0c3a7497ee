/**
 * Projects keep their data apart end to end: two projects send events with the same region
 * and the same client event ids through the real pipeline; each project's credentials see
 * its own events, aggregates, live counters, live stream, rules, incidents and anomalies, and
 * another project's are not found, whatever the request names.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newToken } from "@/lib/security/tokens";
import { postEvents, testClients } from "../support/clients";
import { waitFor } from "../support/wait-for";

const clients = testClients();
afterAll(() => clients.close());

const tag = randomBytes(3).toString("hex");
const region = `proj-${tag}`;
const { credentials } = clients;
const other = credentials.otherProject;
const asDefault = { Authorization: `Bearer ${credentials.tokens.admin}` };
const asOther = { Authorization: `Bearer ${other.memberToken}` };
/** A third project of this file's own, fresh: its regions are admitted whatever other suites sent. */
const third = { id: `test-third-${tag}`, key: "", token: "" };
const asThird = () => ({ Authorization: `Bearer ${third.token}` });

beforeAll(async () => {
  const { sql } = clients;
  await sql`insert into projects (id, name) values (${third.id}, 'Third project')`;
  const key = newToken("ingest");
  await sql`insert into ingest_keys (project_id, name, prefix, key_hash)
            values (${third.id}, 'projects test', ${key.prefix}, ${key.hash})`;
  const userId = `third-${tag}`;
  await sql`insert into auth_users (id, name, email, role)
            values (${userId}, 'third', ${`third-${tag}@test.example`}, 'viewer')`;
  await sql`insert into project_members (project_id, user_id) values (${third.id}, ${userId})`;
  const token = newToken("api");
  await sql`insert into api_tokens (user_id, project_id, name, prefix, token_hash)
            values (${userId}, ${third.id}, 'projects test', ${token.prefix}, ${token.hash})`;
  third.key = key.token;
  third.token = token.token;
});

async function getJson(path: string, headers: Record<string, string>) {
  const response = await fetch(`${clients.baseUrl}${path}`, { headers });
  return {
    status: response.status,
    body: (await response.json().catch(() => ({}))) as Record<string, unknown>,
  };
}

async function send(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const response = await fetch(`${clients.baseUrl}${path}`, {
    method,
    headers: { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json().catch(() => ({}))) as Record<string, unknown>,
  };
}

const events = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, i) => ({
    // the same client ids in both projects: each project stores its own
    event_id: `${tag}-${i}`,
    event_type: "click",
    region,
    user_id: `${prefix}-u${i}`,
    value: 1,
  }));

describe("projects", () => {
  it("keeps each project's events, aggregates and live counters to itself, same region and ids notwithstanding", async () => {
    expect((await postEvents(clients.baseUrl, events(30, "d"))).status).toBe(202);
    expect(
      (
        await postEvents(clients.baseUrl, events(12, "o"), {
          Authorization: `Bearer ${credentials.otherProjectKey}`,
        })
      ).status,
    ).toBe(202);
    const thirdSent = await postEvents(clients.baseUrl, events(7, "t"), {
      Authorization: `Bearer ${third.key}`,
    });
    expect(thirdSent.status).toBe(202);

    const stored = async (headers: Record<string, string>) =>
      ((await getJson(`/api/events?region=${region}&limit=100`, headers)).body.data as unknown[] | undefined)
        ?.length ?? 0;
    await waitFor(
      async () =>
        (await stored(asDefault)) === 30 && (await stored(asOther)) === 12 && (await stored(asThird())) === 7,
      { timeoutMs: 60_000, what: "the three projects' events stored" },
    );
    const rows = await clients.sql<{ project_id: string; n: number }[]>`
      select project_id, count(*)::int as n from raw_events where region = ${region} group by 1 order by 1`;
    expect(rows).toEqual(
      [
        { project_id: "default", n: 30 },
        { project_id: other.id, n: 12 },
        { project_id: third.id, n: 7 },
      ].sort((a, b) => (a.project_id < b.project_id ? -1 : 1)),
    );

    const counted = async (headers: Record<string, string>) => {
      const { body } = await getJson(
        `/api/aggregations?event_type=click&region=${region}&window=60`,
        headers,
      );
      return ((body.data as { count: number }[] | undefined) ?? []).reduce((sum, row) => sum + row.count, 0);
    };
    // (the default project has seen other suites' regions: past its region limit, this one is
    // aggregated as "other" there, so its figures are checked in the two younger projects)
    await waitFor(async () => (await counted(asOther)) === 12 && (await counted(asThird())) === 7, {
      what: "each project's aggregates",
    });

    const live = async (headers: Record<string, string>) =>
      (
        (await getJson("/api/metrics/realtime?seconds=300", headers)).body.by_region as Record<string, number>
      )[region];
    await waitFor(async () => (await live(asOther)) === 12 && (await live(asThird())) === 7, {
      what: "each project's live counters",
    });
  });

  it("streams a project's live counts to its own viewers only", async () => {
    const controller = new AbortController();
    const response = await fetch(`${clients.baseUrl}/api/stream`, {
      headers: asOther,
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body?.getReader();
    if (!reader) throw new Error("no stream body");
    const decoder = new TextDecoder();
    let text = "";
    const liveRegion = `${region}-live`;
    try {
      await reader.read(); // the greeting: the stream is connected
      // the default project first: its counts must not reach this stream
      expect((await postEvents(clients.baseUrl, [{ event_type: "click", region: liveRegion }])).status).toBe(
        202,
      );
      expect(
        (
          await postEvents(clients.baseUrl, [{ event_type: "click", region: liveRegion, user_id: "mine" }], {
            Authorization: `Bearer ${credentials.otherProjectKey}`,
          })
        ).status,
      ).toBe(202);
      await waitFor(
        async () => {
          const { value } = await reader.read();
          text += decoder.decode(value, { stream: true });
          return (
            text.includes(liveRegion) && text.split("\n\n").some((frame) => frame.includes("event: counts"))
          );
        },
        { intervalMs: 0, what: "the other project's counts on its stream" },
      );
    } finally {
      controller.abort();
    }
    const counts = text
      .split("\n\n")
      .filter((frame) => frame.includes("event: counts"))
      .map((frame) => JSON.parse(frame.slice(frame.indexOf("data: ") + 6)) as { project: string });
    expect(counts.length).toBeGreaterThan(0);
    for (const message of counts) expect(message.project).toBe(other.id);
  });

  it("finds no other project's rule, incident or anomaly, and refuses a project the caller is not in", async () => {
    const created = await send("POST", "/api/alerts/rules", asOther, {
      name: `other ${tag}`,
      event_type: "click",
      region: "*",
      metric: "count",
      window_seconds: 60,
      condition: { type: "threshold", operator: "above", value: 1_000_000 },
      severity: "low",
      channels: { in_app: true },
    });
    expect(created.status).toBe(201);
    const ruleId = (created.body.rule as { id: string }).id;
    expect((await getJson(`/api/alerts/rules/${ruleId}`, asOther)).status).toBe(200);
    // the default project's admin: not found, however it asks, and nothing changes
    expect((await getJson(`/api/alerts/rules/${ruleId}`, asDefault)).status).toBe(404);
    expect((await send("PATCH", `/api/alerts/rules/${ruleId}`, asDefault, { enabled: false })).status).toBe(
      404,
    );
    expect((await send("DELETE", `/api/alerts/rules/${ruleId}`, asDefault)).status).toBe(404);
    expect((await send("POST", `/api/alerts/rules/${ruleId}/test`, asDefault)).status).toBe(404);
    const listed = (await getJson("/api/alerts/rules", asDefault)).body.data as { id: string }[];
    expect(listed.map((rule) => rule.id)).not.toContain(ruleId);
    const [rule] = await clients.sql<{ enabled: boolean; project_id: string }[]>`
      select enabled, project_id from alert_rules where id = ${ruleId}`;
    expect(rule).toEqual({ enabled: true, project_id: other.id });

    // an incident and an anomaly of the other project (as the anomaly worker writes them)
    const [incident] = await clients.sql<{ id: string }[]>`
      insert into alert_incidents (id, rule_id, severity, event_type, region, metric, window_seconds,
                                   fired_window_start, fired_at)
      values (gen_random_uuid(), ${ruleId}, 'low', 'click', '*', 'count', 60, now(), now()) returning id`;
    const [anomaly] = await clients.sql<{ id: number }[]>`
      insert into anomalies (project_id, event_type, region, metric, window_start, window_seconds, observed,
                             expected, lower, upper, score, direction, severity)
      values (${other.id}, 'click', ${region}, 'count', now(), 60, 10, 1, 0, 2, 0.99, 'spike', 'high')
      returning id`;
    if (!incident || !anomaly) throw new Error("setup rows not inserted");
    expect((await getJson(`/api/alerts/incidents/${incident.id}`, asOther)).status).toBe(200);
    expect((await getJson(`/api/alerts/incidents/${incident.id}`, asDefault)).status).toBe(404);
    expect((await send("POST", `/api/alerts/incidents/${incident.id}/acknowledge`, asDefault)).status).toBe(
      404,
    );
    const incidents = (await getJson("/api/alerts/incidents?limit=500", asDefault)).body.data as {
      id: string;
    }[];
    expect(incidents.map((row) => row.id)).not.toContain(incident.id);
    expect((await getJson(`/api/anomalies/${anomaly.id}`, asOther)).status).toBe(200);
    expect((await getJson(`/api/anomalies/${anomaly.id}`, asDefault)).status).toBe(404);
    expect(
      (await send("PATCH", `/api/anomalies/${anomaly.id}`, asDefault, { status: "resolved" })).status,
    ).toBe(404);
    const anomalies = (await getJson(`/api/anomalies?region=${region}`, asDefault)).body.data as unknown[];
    expect(anomalies).toEqual([]);
    const [unchanged] = await clients.sql<
      { status: string }[]
    >`select status from anomalies where id = ${anomaly.id}`;
    expect(unchanged?.status).toBe("open");

    // naming another project: a token is for its own project only, a user for theirs
    const named = { "X-Pulse-Project": other.id };
    expect((await getJson("/api/events?limit=1", { ...asDefault, ...named })).status).toBe(403);
    expect((await getJson("/api/events?limit=1", { ...asOther, "X-Pulse-Project": "default" })).status).toBe(
      403,
    );
    const me = await getJson("/api/me", asOther);
    expect(me.body).toMatchObject({ project: other.id, projects: [other.id] });
  });
});
