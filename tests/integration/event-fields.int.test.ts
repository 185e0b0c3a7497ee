import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { EVENT_FIELD_LIST, type ClientFieldName } from "@/lib/events/fields";
import { authHeaders, postEvents, testClients } from "../support/clients";
import { waitFor } from "../support/wait-for";

const clients = testClients();
afterAll(() => clients.close());

/** RFC 4180 rows of a small CSV document (quoted cells may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(cell);
      cell = "";
    } else if (char === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += char;
  }
  return rows;
}

describe("one event with every client field, from POST /api/events to every read", () => {
  const tag = randomBytes(4).toString("hex");
  const time = new Date(Date.now() - 5_000);
  // typed by the field table: a new client field fails to compile here until the test sends it
  const sent: Required<Record<ClientFieldName, unknown>> = {
    event_id: `fields-${tag}`,
    event_type: "field_check",
    timestamp: time.toISOString(),
    user_id: `user-${tag}`,
    session_id: `session-${tag}`,
    region: `region-${tag}`,
    value: 12.75,
    properties: { plan: "pro", nested: { list: [1, "two", null] }, quote: 'say "hi", then go' },
  };
  // every read answers times as ISO 8601, as sent here
  const expected = sent;
  const clientFields = EVENT_FIELD_LIST.filter((field) => field.input !== undefined);

  it("sends every client field the table declares", async () => {
    expect(Object.keys(sent).sort()).toEqual(clientFields.map((field) => field.name).sort());
    const result = await postEvents(clients.baseUrl, sent);
    expect(result.status).toBe(202);
    expect(result.body.event_ids).toEqual([sent.event_id]);
  });

  it("stores each field in its raw_events column", async () => {
    let row: Record<string, unknown> | undefined;
    await waitFor(
      async () => {
        [row] = await clients.sql`select * from raw_events where event_id = ${sent.event_id as string}`;
        return row !== undefined;
      },
      { timeoutMs: 30_000, what: "the event in raw_events" },
    );
    for (const { name, column } of clientFields) {
      const stored = row?.[column ?? name];
      expect(stored instanceof Date ? stored.toISOString() : stored, name).toEqual(
        expected[name as ClientFieldName],
      );
    }
  });

  it("answers each field in GET /api/events", async () => {
    const response = await fetch(`${clients.baseUrl}/api/events?user_id=${sent.user_id as string}`, {
      headers: authHeaders("viewer"),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: Record<string, unknown>[] };
    expect(body.data).toHaveLength(1);
    for (const { name } of clientFields)
      expect(body.data[0]?.[name], name).toEqual(expected[name as ClientFieldName]);
  });

  it("exports each field in the CSV export", async () => {
    const response = await fetch(
      `${clients.baseUrl}/api/events/export?format=csv&user_id=${sent.user_id as string}`,
      { headers: authHeaders("viewer") },
    );
    expect(response.status).toBe(200);
    const [header, line, ...rest] = parseCsv(await response.text());
    expect(rest).toEqual([]);
    const cells = Object.fromEntries((header ?? []).map((column, i) => [column, line?.[i]]));
    for (const { name } of clientFields) {
      const value = expected[name as ClientFieldName];
      // a number or an object is written as JSON (jsonb keeps its own key order)
      if (typeof value === "string") expect(cells[name], name).toBe(value);
      else expect(JSON.parse(cells[name] ?? "null"), name).toEqual(value);
    }
  });
});
