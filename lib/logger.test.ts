import { describe, expect, it } from "vitest";
import { createLogger, REDACTED } from "./logger";

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ write: (line: string) => void lines.push(line) }, "info");
  return { logger, lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe("logger redaction", () => {
  it("replaces credentials in headers, nested objects and top-level fields, and keeps the rest", () => {
    const { logger, lines } = capture();
    logger.info(
      {
        correlation_id: "c-1",
        token: "tok-top",
        webhook_secret: "whsec-top",
        "x-api-key": "pk_live_top",
        headers: {
          authorization: "Bearer abc",
          cookie: "session=xyz",
          "set-cookie": ["a=1", "b=2"],
          "x-api-key": "pk_live_1",
          "content-type": "application/json",
        },
        request: { headers: { authorization: "Bearer nested", accept: "*/*" }, path: "/api/events" },
        user: { email: "a@example.com", password: "hunter22" },
        rule: { id: "r1", webhookSecret: "whsec-nested", secret: "s1" },
        err: { config: { headers: { Authorization: "Bearer cap", cookie: "c=1" } } },
        session: { token: "sess-1", api_key: "key-1", access_token: "at", refresh_token: "rt" },
      },
      "request_seen",
    );
    const [line] = lines();
    const text = JSON.stringify(line);
    for (const secret of [
      "tok-top",
      "whsec-top",
      "pk_live_top",
      "Bearer abc",
      "session=xyz",
      "a=1",
      "pk_live_1",
      "Bearer nested",
      "hunter22",
      "whsec-nested",
      "s1",
      "c=1",
      "Bearer cap",
      "sess-1",
      "key-1",
    ]) {
      expect(text, secret).not.toContain(secret);
    }
    expect(line).toMatchObject({
      msg: "request_seen",
      correlation_id: "c-1",
      token: REDACTED,
      headers: { authorization: REDACTED, cookie: REDACTED, "content-type": "application/json" },
      request: { headers: { authorization: REDACTED, accept: "*/*" }, path: "/api/events" },
      user: { email: "a@example.com", password: REDACTED },
      rule: { id: "r1", webhookSecret: REDACTED, secret: REDACTED },
    });
  });

  it("leaves the logged object itself untouched", () => {
    const { logger } = capture();
    const context = { headers: { authorization: "Bearer keep" } };
    logger.info(context, "x");
    expect(context.headers.authorization).toBe("Bearer keep");
  });
});
