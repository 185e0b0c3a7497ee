import { describe, expect, it } from "vitest";
import { toWireEvent } from "@/lib/events/enrich";
import { countBySecond } from "./publish-live-counts";

const RECEIVED_AT = 1_700_000_000_000;
const at = (timestamp: number | undefined, eventType: string, region?: string) =>
  toWireEvent({ input: { event_type: eventType, ...(region ? { region } : {}) }, timestamp }, RECEIVED_AT);

describe("countBySecond", () => {
  it("counts events per second of event time (else receive time), type and region, with unknown for no region", () => {
    const t = RECEIVED_AT;
    const message = countBySecond(
      [at(undefined, "click", "eu"), at(t + 999, "click", "eu"), at(t + 1000, "click", "eu"), at(t, "buy")],
      t,
    );
    expect(message.kind).toBe("counts");
    expect(message.counts).toEqual(
      expect.arrayContaining([
        { t: "click", r: "eu", s: t / 1000, n: 2 },
        { t: "click", r: "eu", s: t / 1000 + 1, n: 1 },
        { t: "buy", r: "unknown", s: t / 1000, n: 1 },
      ]),
    );
    expect(message.counts.reduce((sum, cell) => sum + cell.n, 0)).toBe(4);
  });
});
