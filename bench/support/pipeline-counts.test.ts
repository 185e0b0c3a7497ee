import { describe, expect, it } from "vitest";
import { checkPipelineCounts } from "./pipeline-counts";

describe("checkPipelineCounts", () => {
  it("passes when stored = aggregated = sent", () => {
    expect(
      checkPipelineCounts({ sent: 300_000, stored: 300_000, aggregated: 300_000, aggregatedByType: 300_000 }),
    ).toBeUndefined();
  });

  it.each([
    { name: "events not stored", stored: 299_000, aggregated: 300_000, aggregatedByType: 300_000 },
    {
      name: "events stored but not aggregated (late)",
      stored: 300_000,
      aggregated: 299_500,
      aggregatedByType: 299_500,
    },
    { name: "events aggregated twice", stored: 300_000, aggregated: 300_500, aggregatedByType: 300_500 },
    {
      name: "roll-up and per-type rows disagree",
      stored: 300_000,
      aggregated: 300_000,
      aggregatedByType: 299_999,
    },
    { name: "nothing arrived", stored: 0, aggregated: 0, aggregatedByType: 0 },
  ])("names every count when $name", ({ stored, aggregated, aggregatedByType }) => {
    const message = checkPipelineCounts({ sent: 300_000, stored, aggregated, aggregatedByType });
    expect(message).toBe(
      `sent 300,000, stored ${stored.toLocaleString("en")}, aggregated ${aggregated.toLocaleString("en")} (per type: ${aggregatedByType.toLocaleString("en")})`,
    );
  });
});
