import { describe, expect, it } from "vitest";
import {
  countFailures,
  formatFailures,
  parseWrkReport,
  successThroughput,
  summarizeRounds,
  type LoadResult,
} from "./load-result";

const noErrors = { connect: 0, read: 0, write: 0, timeout: 0 };

function result(statuses: Record<number, number>, extra: Partial<LoadResult> = {}): LoadResult {
  return {
    seconds: 10,
    statuses: new Map(Object.entries(statuses).map(([status, count]) => [Number(status), count])),
    transportErrors: noErrors,
    p50Ms: 5,
    p99Ms: 20,
    ...extra,
  };
}

describe("successThroughput", () => {
  it.each<{ name: string; statuses: Record<number, number>; requestsPerSecond: number }>([
    { name: "all 202", statuses: { 202: 1000 }, requestsPerSecond: 100 },
    { name: "200 and 204 count too", statuses: { 200: 500, 204: 500 }, requestsPerSecond: 100 },
    { name: "503s do not count", statuses: { 202: 400, 503: 600 }, requestsPerSecond: 40 },
    {
      name: "redirects and 4xx do not count",
      statuses: { 202: 100, 307: 50, 400: 50 },
      requestsPerSecond: 10,
    },
    { name: "nothing answered 2xx", statuses: { 503: 1000 }, requestsPerSecond: 0 },
    { name: "nothing answered", statuses: {}, requestsPerSecond: 0 },
  ])("$name", ({ statuses, requestsPerSecond }) => {
    expect(successThroughput(result(statuses), 500)).toEqual({
      requestsPerSecond,
      eventsPerSecond: requestsPerSecond * 500,
    });
  });

  it("does not count transport errors", () => {
    const run = result({ 202: 1000 }, { transportErrors: { ...noErrors, connect: 5000, read: 300 } });
    expect(successThroughput(run, 1).requestsPerSecond).toBe(100);
  });

  it("is zero for a run that did not last", () => {
    expect(successThroughput(result({ 202: 10 }, { seconds: 0 }), 1).eventsPerSecond).toBe(0);
  });
});

describe("countFailures", () => {
  it("counts non-2xx answers by status and transport errors by kind, over all runs", () => {
    const runs = [
      result({ 202: 10, 503: 2 }, { transportErrors: { ...noErrors, read: 1 } }),
      result({ 202: 10, 503: 3, 500: 1 }, { transportErrors: { ...noErrors, connect: 4, timeout: 2 } }),
    ];
    const failures = countFailures(runs);
    expect([...failures]).toEqual([
      ["HTTP 500", 1],
      ["HTTP 503", 5],
      ["connect error", 4],
      ["read error", 1],
      ["timeout error", 2],
    ]);
    expect(formatFailures(failures)).toBe(
      "HTTP 500 x1, HTTP 503 x5, connect error x4, read error x1, timeout error x2",
    );
  });

  it("counts a run in which no request was answered 2xx", () => {
    const hung = result({});
    const refused = result({ 503: 40 });
    expect([...countFailures([hung, refused, result({ 202: 1 })])]).toEqual([
      ["HTTP 503", 40],
      ["run without a 2xx answer", 2],
    ]);
  });

  it("is empty when every request was answered 2xx", () => {
    expect(countFailures([result({ 200: 3, 202: 10 })]).size).toBe(0);
    expect(formatFailures(new Map())).toBe("none");
  });
});

describe("summarizeRounds", () => {
  it("takes medians of the success-only rates and keeps every failure", () => {
    const summary = summarizeRounds(
      [result({ 202: 1000 }), result({ 202: 3000, 503: 7 }), result({ 202: 2000 })],
      100,
    );
    expect(summary.requestsPerSecond).toBe(200);
    expect(summary.eventsPerSecond).toBe(20_000);
    expect([...summary.failures]).toEqual([["HTTP 503", 7]]);
  });
});

describe("parseWrkReport", () => {
  it("reads the totals, the latency and the statuses of every wrk thread", () => {
    const report = parseWrkReport(
      [
        "RESULT 1010 8000000 12500 48000 0 3 0 1",
        "STATUS 202 500",
        "STATUS 503 5",
        "STATUS 202 500",
        "STATUS 503 5",
      ].join("\n"),
    );
    expect(report).toEqual({
      seconds: 8,
      statuses: new Map([
        [202, 1000],
        [503, 10],
      ]),
      transportErrors: { connect: 0, read: 3, write: 0, timeout: 1 },
      p50Ms: 12.5,
      p99Ms: 48,
    });
  });

  it("refuses a report whose statuses do not add up to wrk's count of responses", () => {
    expect(() => parseWrkReport("RESULT 1010 8000000 1 1 0 0 0 0\nSTATUS 202 1000\n")).toThrow(
      /statuses add up to 1000/,
    );
  });

  it("refuses output without a result", () => {
    expect(() => parseWrkReport("unable to connect")).toThrow(/unexpected wrk output/);
  });
});
