import { describe, expect, it } from "vitest";
import { unavailableDependency } from "./dependency-errors";

const withCode = (code: string, message = "boom") => Object.assign(new Error(message), { code });

describe("unavailableDependency", () => {
  it.each([
    [
      "postgres.js refused socket",
      withCode("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432"),
      "postgres",
    ],
    ["postgres.js connect timeout", withCode("CONNECT_TIMEOUT"), "postgres"],
    ["postgres.js closed connection", withCode("CONNECTION_CLOSED"), "postgres"],
    ["server shutting down (57P01)", withCode("57P01", "terminating connection"), "postgres"],
    ["server starting up (57P03)", withCode("57P03", "the database system is starting up"), "postgres"],
    ["connection exception class 08", withCode("08006"), "postgres"],
    [
      "statement timeout (57014)",
      withCode("57014", "canceling statement due to statement timeout"),
      "postgres",
    ],
    [
      "drizzle's wrapper around a driver error",
      new Error("Failed query", { cause: withCode("ECONNREFUSED") }),
      "postgres",
    ],
    [
      "ioredis gave up on a command",
      Object.assign(new Error("x"), { name: "MaxRetriesPerRequestError" }),
      "redis",
    ],
    ["ioredis closed connection", new Error("Connection is closed."), "redis"],
    ["ioredis command timeout", new Error("Command timed out"), "redis"],
    ["a unique violation is a bug or a conflict", withCode("23505"), undefined],
    ["a syntax error is a bug", withCode("42601"), undefined],
    ["a plain error", new Error("something else"), undefined],
    ["not an error", "ECONNREFUSED", undefined],
  ])("%s", (_label, error, expected) => {
    expect(unavailableDependency(error)).toBe(expected);
  });
});
