import { describe, expect, it } from "vitest";
import { resumeFromStore } from "./resume";

describe("resumeFromStore", () => {
  it("recovers the writes first, then seeks each partition PostgreSQL holds an offset for", async () => {
    const steps: string[] = [];
    const resumed = await resumeFromStore(
      {
        recoverWrites: async () => {
          steps.push("recover");
        },
        readProgress: async (assignment) => {
          steps.push(`read ${JSON.stringify(assignment)}`);
          return [
            { topic: "events.click", partition: 0, nextOffset: 42, maxEventTime: 1 },
            { topic: "events.click", partition: 1, nextOffset: undefined, maxEventTime: undefined },
            { topic: "events.other", partition: 3, nextOffset: 0, maxEventTime: undefined },
          ];
        },
        seek: ({ topic, partition, offset }) => steps.push(`seek ${topic}/${partition}@${offset}`),
      },
      { "events.click": [0, 1], "events.other": [3] },
    );
    expect(steps).toEqual([
      "recover",
      'read {"events.click":[0,1],"events.other":[3]}',
      "seek events.click/0@42",
      "seek events.other/3@0",
    ]);
    expect(resumed).toBe(2);
  });

  it("does not seek when the stored offsets cannot be read", async () => {
    const seeks: unknown[] = [];
    await expect(
      resumeFromStore(
        {
          recoverWrites: async () => undefined,
          readProgress: async () => {
            throw new Error("database down");
          },
          seek: (position) => seeks.push(position),
        },
        { "events.click": [0] },
      ),
    ).rejects.toThrow("database down");
    expect(seeks).toEqual([]);
  });
});
