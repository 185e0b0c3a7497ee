import { describe, expect, it } from "vitest";
import { retryTransaction } from "./retry-transaction";

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

/** Work that fails with the given codes, one per call, then answers "done". */
function failing(...codes: string[]) {
  let calls = 0;
  const work = async () => {
    const code = codes[calls++];
    if (code !== undefined) throw pgError(code);
    return "done";
  };
  return { work, calls: () => calls };
}

describe("retryTransaction", () => {
  it("retries deadlocks and serialization failures until the work succeeds", async () => {
    const { work, calls } = failing("40P01", "40001");
    await expect(retryTransaction(work)).resolves.toBe("done");
    expect(calls()).toBe(3);
  });

  it("retries a code the caller names, and only for that caller", async () => {
    const named = failing("23505");
    await expect(retryTransaction(named.work, { alsoRetryable: ["23505"] })).resolves.toBe("done");
    expect(named.calls()).toBe(2);
    const plain = failing("23505");
    await expect(retryTransaction(plain.work)).rejects.toMatchObject({ code: "23505" });
    expect(plain.calls()).toBe(1);
  });

  it("gives up after the attempts", async () => {
    const { work, calls } = failing("40001", "40001", "40001");
    await expect(retryTransaction(work, { attempts: 2 })).rejects.toMatchObject({ code: "40001" });
    expect(calls()).toBe(2);
  });

  it("tells the work which attempt it is", async () => {
    const seen: number[] = [];
    const work = async (attempt: number) => {
      seen.push(attempt);
      if (attempt < 3) throw pgError("40P01");
      return "done";
    };
    await expect(retryTransaction(work)).resolves.toBe("done");
    expect(seen).toEqual([1, 2, 3]);
  });
});
