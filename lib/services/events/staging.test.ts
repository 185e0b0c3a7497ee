import { getTableColumns } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rawEvents } from "@/db/schema";
import type { EnrichedEvent } from "@/lib/events/schema";
import { STAGING_COLUMN_NAMES, STAGING_COLUMNS, STORED_COLUMNS, toStagingLine } from "./staging";

const names = STAGING_COLUMN_NAMES.split(", ");

function columnsOf(line: string): Record<string, string> {
  const values = line.split("\t");
  expect(values).toHaveLength(names.length);
  return Object.fromEntries(names.map((name, i) => [name, values[i] ?? ""]));
}

const full: EnrichedEvent = {
  event_id: "id\twith tab",
  event_type: "click",
  timestamp: 1_700_000_000_123.9,
  received_at: 1_700_000_000_200,
  user_id: "u\\1",
  session_id: "s\n1",
  region: "eu",
  value: 1.5,
  properties: { text: "a\nb" },
  correlation_id: "c",
  project_id: "default",
  id_supplied: true,
  timestamp_supplied: true,
  source: { user_agent: "agent", api_version: 1 },
};

describe("staging table", () => {
  it.each([
    [
      "every field set",
      full,
      {
        event_id: "id\\twith tab",
        event_time_ms: "1700000000123",
        received_at_ms: "1700000000200",
        event_type: "click",
        region: "eu",
        user_id: "u\\\\1",
        session_id: "s\\n1",
        value: "1.5",
        properties: '{"text":"a\\\\nb"}',
        correlation_id: "c",
        source: '{"user_agent":"agent","api_version":1}',
        id_supplied: "t",
        timestamp_supplied: "t",
        maybe_closed: "t",
        kafka_partition: "3",
        kafka_offset: "42",
      },
    ],
    [
      "optional fields left out",
      {
        event_id: "e",
        event_type: "click",
        timestamp: 5,
        received_at: 6,
        correlation_id: "c",
        project_id: "p-2",
        id_supplied: false,
        timestamp_supplied: false,
        source: { api_version: 1 },
      } satisfies EnrichedEvent,
      {
        event_id: "e",
        event_time_ms: "5",
        received_at_ms: "6",
        region: "\\N",
        user_id: "\\N",
        session_id: "\\N",
        value: "\\N",
        properties: "\\N",
        project_id: "p-2",
        id_supplied: "f",
        timestamp_supplied: "f",
        maybe_closed: "t",
      },
    ],
  ])("writes a COPY line column by column (%s)", (_name, event, expected) => {
    expect(columnsOf(toStagingLine(event, true, 3, 42))).toMatchObject(expected);
  });

  it("declares one typed column per value of a line", () => {
    expect(STAGING_COLUMNS.split(", ").map((column) => column.split(" ")[0])).toEqual(names);
  });

  it("stores each stored field in a column raw_events has", () => {
    const columns = new Set(Object.values(getTableColumns(rawEvents)).map((column) => column.name));
    for (const column of STORED_COLUMNS.split(", ")) expect(columns, column).toContain(column);
  });
});
