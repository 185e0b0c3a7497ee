import { describe, expect, it } from "vitest";
import { withRoute } from "./route";

const request = () => new Request("http://localhost/api/thing");

describe("withRoute", () => {
  it("answers 503 dependency_unavailable with Retry-After when the handler outlives its deadline", async () => {
    const route = withRoute("test.slow", () => new Promise<Response>(() => undefined), { deadlineMs: 50 });
    const started = performance.now();
    const response = await route(request());
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("2");
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe("dependency_unavailable");
  });

  it("maps a store's connection failure to 503, and other failures to 500 without their message", async () => {
    const refused = withRoute("test.refused", () =>
      Promise.reject(
        Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
      ),
    );
    const response = await refused(request());
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({
      code: "dependency_unavailable",
      message: "PostgreSQL is unavailable; retry shortly",
    });

    const broken = withRoute("test.broken", () => Promise.reject(new Error("secret internals")));
    const failed = await broken(request());
    expect(failed.status).toBe(500);
    expect(JSON.stringify(await failed.json())).not.toContain("secret internals");
  });

  it("lets a handler without a deadline take its time", async () => {
    const route = withRoute(
      "test.unbounded",
      () => new Promise<Response>((resolve) => setTimeout(() => resolve(new Response("ok")), 100)),
      { deadlineMs: false },
    );
    expect((await route(request())).status).toBe(200);
  });

  it("puts the security headers on answers and on errors, keeping a header the handler chose", async () => {
    const ok = withRoute(
      "test.ok",
      async () => new Response("ok", { headers: { "X-Frame-Options": "SAMEORIGIN" } }),
    );
    const failing = withRoute("test.failing", () => Promise.reject(new Error("boom")));
    for (const response of [await ok(request()), await failing(request())]) {
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      // an API answer is no document: its policy allows nothing, and a page's headers are left out
      expect(response.headers.get("content-security-policy")).toBe(
        "default-src 'none'; frame-ancestors 'none'",
      );
      expect(response.headers.get("cross-origin-resource-policy")).toBe("same-origin");
      expect(response.headers.get("permissions-policy")).toBeNull();
    }
    expect((await ok(request())).headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect((await failing(request())).headers.get("x-frame-options")).toBe("DENY");
  });
});
