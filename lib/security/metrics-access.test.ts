import { describe, expect, it } from "vitest";
import { metricsAccess } from "./metrics-access";

const TOKEN = "metrics-token-0123456789";

describe("metricsAccess", () => {
  it.each([
    [`Bearer ${TOKEN}`, "allowed"],
    [`bearer ${TOKEN}`, "allowed"],
    [`Bearer  ${TOKEN} `, "allowed"],
    [null, "unauthorized"],
    ["", "unauthorized"],
    ["Bearer", "unauthorized"],
    [`Basic ${TOKEN}`, "unauthorized"],
    [`Bearer ${TOKEN}x`, "unauthorized"],
    [`Bearer ${TOKEN.slice(0, -1)}`, "unauthorized"],
    [`Bearer ${TOKEN} extra`, "unauthorized"],
    [TOKEN, "unauthorized"],
  ])("with METRICS_TOKEN set, %j → %s", (header, expected) => {
    expect(metricsAccess(header, TOKEN)).toBe(expected);
  });

  it("is disabled on the web port without METRICS_TOKEN, whatever is sent", () => {
    expect(metricsAccess(`Bearer ${TOKEN}`, undefined)).toBe("disabled");
    expect(metricsAccess(null, undefined)).toBe("disabled");
    expect(metricsAccess("Bearer ", "")).toBe("disabled");
  });
});
