import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError, describeError } from "./errors";

describe("describeError", () => {
  it("answers an AppError with its code, status, message, details and Retry-After", () => {
    const error = new AppError("too_many_streams", "Too many live streams", {
      retryAfterSeconds: 5,
      details: [{ path: "x", message: "y" }],
      cause: new Error("internal cause at /srv/app/lib/x.ts:12"),
    });
    const described = describeError(error, "corr-1");
    expect(described.status).toBe(429);
    expect(described.headers).toEqual({ "Retry-After": "5" });
    expect(described.body).toEqual({
      error: {
        code: "too_many_streams",
        message: "Too many live streams",
        details: [{ path: "x", message: "y" }],
        correlation_id: "corr-1",
      },
    });
    expect(JSON.stringify(described.body)).not.toContain("/srv/app");
  });

  it.each([
    ["an Error", new Error('relation "alert_rules" does not exist at postgres://user:pw@db/analytics')],
    ["a string", "ECONNREFUSED 10.0.0.5:6379 password=hunter2"],
    ["a ZodError", z.object({ secret: z.string() }).safeParse({ secret: 1 }).error],
    ["an object", { query: "SELECT * FROM alert_rules", stack: "at db/queries/alerts.ts:143" }],
  ])("answers %s as a bare 500 internal: no message, stack, cause or detail of it", (_, thrown) => {
    const described = describeError(thrown, "corr-2");
    expect(described.status).toBe(500);
    expect(described.headers).toEqual({});
    expect(described.body).toEqual({
      error: { code: "internal", message: "Internal server error", correlation_id: "corr-2" },
    });
  });
});
