import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getSql } from "@/db/client";
import { closedWindow } from "@/tests/support/closed-windows";
import { recordClosedWindows } from "./record-windows";

afterAll(() => closeDb());

const STEP_S = 300;
const HISTORY = 60;

describe("a series that first appears with its history stored", () => {
  it("learns the stored windows first, so its first window is scored: a spike after 60 quiet windows is an anomaly", async () => {
    const eventType = `warm_${randomBytes(3).toString("hex")}`;
    const first = (Math.floor(Date.now() / 1000 / STEP_S) - HISTORY - 5) * STEP_S;
    // the history a replay or a backfill leaves: closed, emitted rows, about 100 events a window
    await getSql()`
      insert into aggregations (project_id, window_start, window_seconds, event_type, region, event_count, users,
                                value_count, closed_at, emitted_at)
      select 'default', to_timestamp(${first} + i * ${STEP_S}), ${STEP_S}, ${eventType}, '*', 100 + (i * 7) % 11,
             hll_empty(), 0, now(), now()
      from generate_series(0, ${HISTORY - 1}) as i`;

    const spikeAt = (first + HISTORY * STEP_S) * 1000;
    const result = await recordClosedWindows([closedWindow(eventType, "*", spikeAt, 1_000, STEP_S)], {
      defaultSensitivity: "medium",
      now: new Date(),
    });

    expect(result.processed).toBe(1);
    const spike = result.anomalies.find((anomaly) => anomaly.metric === "count");
    expect(spike).toMatchObject({ eventType, direction: "spike", windowStart: new Date(spikeAt) });
    const [state] = await getSql()<{ points: number }[]>`
      select points from detector_states
      where event_type = ${eventType} and metric = 'count' and window_seconds = ${STEP_S}`;
    // 60 learned from the table, then the new window: not a cold start of one point
    expect(state?.points).toBe(HISTORY + 1);
  });

  it("starts fresh when nothing is stored: no score before the warm-up", async () => {
    const eventType = `fresh_${randomBytes(3).toString("hex")}`;
    const at = (Math.floor(Date.now() / 1000 / STEP_S) - 3) * STEP_S * 1000;
    const result = await recordClosedWindows([closedWindow(eventType, "*", at, 1_000, STEP_S)], {
      defaultSensitivity: "medium",
      now: new Date(),
    });
    expect(result.anomalies).toEqual([]);
    const [state] = await getSql()<{ points: number }[]>`
      select points from detector_states where event_type = ${eventType} and metric = 'count'`;
    expect(state?.points).toBe(1);
  });
});
