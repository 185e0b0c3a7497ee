/**
 * Who may do what, tried the way an attacker would, against the running stack: every route
 * with no credentials, an ingest key, and each role's token; cookie changes from another
 * site; a revoked key; a rate limit. Refusals change nothing.
 */
import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import type { RouteContract } from "@/lib/http/contract";
import { routeContracts } from "@/lib/http/contracts";
import { countProduced, testClients } from "../support/clients";
import { spawnLogged, stopChild } from "../support/stack";
import { waitFor } from "../support/wait-for";

const clients = testClients();
afterAll(() => clients.close());

type Caller = "none" | "ingest" | "otherProject" | "viewer" | "member" | "admin";
const CALLERS: Caller[] = ["none", "ingest", "otherProject", "viewer", "member", "admin"];
const RANK = { viewer: 1, member: 2, admin: 3 } as const;

function headersOf(caller: Caller): Record<string, string> {
  const { credentials } = clients;
  if (caller === "none") return {};
  if (caller === "ingest") return { Authorization: `Bearer ${credentials.ingestKey}` };
  if (caller === "otherProject") return { "X-API-Key": credentials.otherProjectKey };
  return { Authorization: `Bearer ${credentials.tokens[caller]}` };
}

/** What a caller must get: refused with this status, or let through (any answer but 401/403). */
function expected(contract: RouteContract, caller: Caller): 401 | 403 | "allowed" {
  const { access } = contract;
  if (access === "public") return "allowed";
  if (access === "ingest") return caller === "ingest" || caller === "otherProject" ? "allowed" : 401;
  if (caller === "none" || caller === "ingest" || caller === "otherProject") return 401;
  return RANK[caller] >= RANK[access] ? "allowed" : 403;
}

/** A request to the route with an empty body and made-up ids: it never names anything real. */
async function call(contract: RouteContract, caller: Caller): Promise<number> {
  const path = contract.path.replace(/\{[^}]+\}/g, randomUUID());
  const controller = new AbortController();
  const response = await fetch(`${clients.baseUrl}${path}`, {
    method: contract.method,
    headers: { "Content-Type": "application/json", ...headersOf(caller) },
    body: contract.method === "GET" || contract.method === "DELETE" ? undefined : "{}",
    signal: controller.signal,
  });
  // a live stream never ends: its status is all this needs
  controller.abort();
  return response.status;
}

/** What a refused request must not have changed. */
async function footprint(): Promise<string> {
  const [row] = await clients.sql<{ state: string }[]>`
    select concat_ws('|',
      (select count(*) from alert_rules), (select max(updated_at) from alert_rules),
      (select count(*) from ingest_keys), (select count(*) from ingest_keys where revoked_at is not null),
      (select count(*) from api_tokens), (select count(*) from auth_users),
      (select count(*) from alert_incidents where acknowledged_at is not null),
      (select count(*) from anomalies where status <> 'open')) as state`;
  return `${row?.state}|${await countProduced(clients.kafka, clients.env.KAFKA_TOPIC_PREFIX ?? "")}`;
}

// /api/metrics answers to its own bearer token (METRICS_TOKEN), tested with the metrics
const routes = routeContracts.filter((contract) => contract.path !== "/api/metrics");

describe("the authorization matrix: every route x every kind of caller", () => {
  it("refuses each caller the route does not admit, and refusals change nothing", async () => {
    const before = await footprint();
    const wrong: string[] = [];
    for (const contract of routes) {
      for (const caller of CALLERS) {
        const want = expected(contract, caller);
        if (want === "allowed") continue;
        const status = await call(contract, caller);
        if (status !== want)
          wrong.push(`${contract.method} ${contract.path} as ${caller}: ${status}, want ${want}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await footprint()).toBe(before);
  });

  it("lets each admitted caller through (an answer other than 401 or 403)", async () => {
    const wrong: string[] = [];
    for (const contract of routes) {
      for (const caller of CALLERS) {
        if (expected(contract, caller) !== "allowed") continue;
        const status = await call(contract, caller);
        if (status === 401 || status === 403)
          wrong.push(`${contract.method} ${contract.path} as ${caller}: ${status}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

/** Signs the test admin in and returns the session cookie header. */
function signIn(): Promise<string> {
  const origin = new URL(clients.baseUrl).origin;
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${origin}/api/auth/sign-in/email`,
      { method: "POST", headers: { "Content-Type": "application/json", Origin: origin } },
      (response) => {
        response.resume();
        response.on("end", () => {
          const cookies = (response.headers["set-cookie"] ?? []).map((header) => header.split(";")[0]);
          if (response.statusCode === 200 && cookies.length > 0) resolve(cookies.join("; "));
          else reject(new Error(`sign-in answered ${response.statusCode}`));
        });
      },
    );
    request.on("error", reject);
    request.end(JSON.stringify(clients.credentials.signIn));
  });
}

describe("a signed-in browser session", () => {
  it("reads with its cookie, and a change sent from another site (CSRF) is refused", async () => {
    const cookie = await signIn();
    const origin = new URL(clients.baseUrl).origin;
    const me = await fetch(`${clients.baseUrl}/api/me`, { headers: { Cookie: cookie } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { via: string }).via).toBe("session");

    const before = await footprint();
    const rule = {
      name: `csrf ${randomBytes(3).toString("hex")}`,
      event_type: "click",
      condition: { type: "no_data", windows: 2 },
      channels: { in_app: true },
    };
    // a form on another site posting to us: the browser sends the cookie and its own Origin
    const fromForm = await fetch(`${clients.baseUrl}/api/alerts/rules`, {
      method: "POST",
      headers: {
        Cookie: cookie,
        Origin: "https://evil.example",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: "name=x",
    });
    expect(fromForm.status).toBe(403);
    expect(((await fromForm.json()) as { error: { code: string } }).error.code).toBe("cross_site_request");
    const noOrigin = await fetch(`${clients.baseUrl}/api/alerts/rules`, {
      method: "POST",
      headers: { Cookie: cookie, "Content-Type": "text/plain" },
      body: JSON.stringify(rule),
    });
    expect(noOrigin.status).toBe(403);
    expect(await footprint()).toBe(before);

    // the same change from the dashboard's own pages goes through
    const sameSite = await fetch(`${clients.baseUrl}/api/alerts/rules`, {
      method: "POST",
      headers: { Cookie: cookie, Origin: origin, "Content-Type": "application/json" },
      body: JSON.stringify(rule),
    });
    expect(sameSite.status).toBe(201);
  });

  it("cannot be opened with a wrong password, and sign-up is closed", async () => {
    const origin = new URL(clients.baseUrl).origin;
    const wrong = await fetch(`${clients.baseUrl}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: origin },
      body: JSON.stringify({ email: clients.credentials.signIn.email, password: "not-the-password-1" }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie") ?? "").not.toContain("session_token=");
    const signUp = await fetch(`${clients.baseUrl}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: origin },
      body: JSON.stringify({ email: "intruder@evil.example", password: "a-long-password-1", name: "x" }),
    });
    expect(signUp.status).toBe(403);
    const [row] = await clients.sql<
      { n: number }[]
    >`select count(*)::int as n from auth_users where email = 'intruder@evil.example'`;
    expect(row?.n).toBe(0);
  });
});

describe("ingest keys", () => {
  it("made by an admin, shown once, work until revoked, then get 401 and produce nothing", async () => {
    const admin = {
      Authorization: `Bearer ${clients.credentials.tokens.admin}`,
      "Content-Type": "application/json",
    };
    const created = await fetch(`${clients.baseUrl}/api/keys`, {
      method: "POST",
      headers: { ...admin, Origin: "https://ignored-for-tokens.example" },
      body: JSON.stringify({ name: "revocation test" }),
    });
    expect(created.status).toBe(201);
    const { key, ingest_key } = (await created.json()) as {
      key: string;
      ingest_key: { id: string; prefix: string };
    };
    expect(key.startsWith(ingest_key.prefix)).toBe(true);
    const listed = (await (await fetch(`${clients.baseUrl}/api/keys`, { headers: admin })).json()) as {
      data: object[];
    };
    expect(JSON.stringify(listed)).not.toContain(key);

    const post = () =>
      fetch(`${clients.baseUrl}/api/events`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-API-Key": key },
        body: JSON.stringify({ event_type: "click", region: "revocation" }),
      });
    expect((await post()).status).toBe(202);
    expect(
      (await fetch(`${clients.baseUrl}/api/keys/${ingest_key.id}`, { method: "DELETE", headers: admin }))
        .status,
    ).toBe(204);
    // every web process forgets the key within its cache's few seconds
    await waitFor(async () => (await post()).status === 401, {
      timeoutMs: 15_000,
      what: "the revoked key to be refused",
    });
    const before = await countProduced(clients.kafka, clients.env.KAFKA_TOPIC_PREFIX ?? "");
    for (let i = 0; i < 5; i++) expect((await post()).status).toBe(401);
    expect(await countProduced(clients.kafka, clients.env.KAFKA_TOPIC_PREFIX ?? "")).toBe(before);
  });
});

describe("events from web pages (CORS)", () => {
  it("answers the preflight and accepts a POST only for an origin the key's project lists", async () => {
    const allowed = `https://shop-${randomBytes(3).toString("hex")}.example`;
    await clients.sql`update projects set allowed_origins = ${[allowed]} where id = 'default'`;
    try {
      const preflight = (origin: string) =>
        fetch(`${clients.baseUrl}/api/events`, {
          method: "OPTIONS",
          headers: { Origin: origin, "Access-Control-Request-Method": "POST" },
        });
      // each web process reloads the keys (and their projects' origins) within 5 s
      await waitFor(
        async () => (await preflight(allowed)).headers.get("access-control-allow-origin") === allowed,
        {
          timeoutMs: 15_000,
          what: "the preflight to allow the listed origin",
        },
      );
      const other = await preflight("https://evil.example");
      expect(other.status).toBe(204);
      expect(other.headers.get("access-control-allow-origin")).toBeNull();

      const post = (origin: string, key: string) =>
        fetch(`${clients.baseUrl}/api/events`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Origin: origin, Authorization: `Bearer ${key}` },
          body: JSON.stringify({ event_type: "click", region: "cors" }),
        });
      const ok = await post(allowed, clients.credentials.ingestKey);
      expect(ok.status).toBe(202);
      expect(ok.headers.get("access-control-allow-origin")).toBe(allowed);
      const before = await countProduced(clients.kafka, clients.env.KAFKA_TOPIC_PREFIX ?? "");
      const evil = await post("https://evil.example", clients.credentials.ingestKey);
      expect(evil.status).toBe(403);
      expect(((await evil.json()) as { error: { code: string } }).error.code).toBe("cross_site_request");
      // another project's key does not carry this project's origins
      expect((await post(allowed, clients.credentials.otherProjectKey)).status).toBe(403);
      expect(await countProduced(clients.kafka, clients.env.KAFKA_TOPIC_PREFIX ?? "")).toBe(before);
    } finally {
      await clients.sql`update projects set allowed_origins = '{}' where id = 'default'`;
    }
  });
});

describe("rate limits", () => {
  it("answers the limit + 1st request 429 with Retry-After, and lets requests through after the window", async () => {
    const port = 3141;
    const web = spawnLogged(
      "rate-limit-web",
      process.execPath,
      ["--import", "tsx", "web/start.ts", "-p", String(port), "-H", "127.0.0.1"],
      {
        ...clients.env,
        PORT: String(port),
        WEB_PROCESSES: "1",
        REDIS_KEY_PREFIX: `ratelimit-${randomBytes(3).toString("hex")}:`,
        // 3 per second with a burst of twice as many: 6 requests per 2 s window
        RATE_LIMIT_INGEST_PER_KEY: "3",
      },
    );
    try {
      await waitFor(
        async () => (await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined))?.ok === true,
        {
          timeoutMs: 60_000,
          what: "the rate-limited web app to answer",
        },
      );
      const post = () =>
        fetch(`http://127.0.0.1:${port}/api/events`, {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            Authorization: `Bearer ${clients.credentials.ingestKey}`,
          },
          body: JSON.stringify({ event_type: "click", region: "rate-limit" }),
        });
      const statuses: number[] = [];
      let refused: Response | undefined;
      for (let i = 0; i < 7 && !refused; i++) {
        const response = await post();
        statuses.push(response.status);
        if (response.status === 429) refused = response;
      }
      // a window may have turned over mid-way, so the 429 comes at the 7th request or later,
      // never earlier; 6 went through
      expect(statuses.slice(0, 6)).toEqual([202, 202, 202, 202, 202, 202]);
      await waitFor(
        async () => {
          if (refused) return true;
          const response = await post();
          if (response.status === 429) refused = response;
          return refused !== undefined;
        },
        { timeoutMs: 10_000, what: "a 429" },
      );
      expect(refused?.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
      expect(((await refused?.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
      await waitFor(async () => (await post()).status === 202, {
        timeoutMs: 10_000,
        what: "the window to pass",
      });
    } finally {
      await stopChild(web);
    }
  });
});
