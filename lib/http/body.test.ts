import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { readJsonBody, readLimitedText } from "./body";

/** A body that sends `chunk` forever (never ends) and counts what was pulled from it. */
function endlessBody(chunk: Uint8Array) {
  const state = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

function post(body: BodyInit | null, headers: Record<string, string> = {}): Request {
  return new Request("http://localhost/api/thing", {
    method: "POST",
    body,
    headers,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error instanceof AppError ? error.code : `not an AppError: ${String(error)}`;
  }
}

describe("readJsonBody", () => {
  it("stops reading a body that never ends once it passes the limit, and cancels it", async () => {
    const { stream, state } = endlessBody(new Uint8Array(1024).fill(0x20));
    const code = await codeOf(readJsonBody(post(stream), 8 * 1024));
    expect(code).toBe("payload_too_large");
    expect(state.cancelled).toBe(true);
    // read up to the limit plus the chunk that passed it, and a little read-ahead: not more
    expect(state.pulled).toBeLessThanOrEqual(8 * 1024 + 4 * 1024);
  });

  it("refuses a declared Content-Length over the limit without reading the body", async () => {
    const { stream, state } = endlessBody(new Uint8Array(16));
    const request = post(stream, { "content-length": String(1024 * 1024) });
    const code = await codeOf(readJsonBody(request, 1024));
    expect(code).toBe("payload_too_large");
    // the stream may have been primed by the runtime, but no more than one chunk
    expect(state.pulled).toBeLessThanOrEqual(16 * 2);
  });

  it("names the limit in the message", async () => {
    const error = await readLimitedText(post("x".repeat(2049)), 2048).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toBe("The body is larger than 2 KiB");
    expect((error as AppError).status).toBe(413);
  });

  it("takes a body of exactly the limit, in many chunks", async () => {
    const json = JSON.stringify({ text: "é".repeat(500) });
    const bytes = new TextEncoder().encode(json);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) =>
      bytes.slice(i * 7, i * 7 + 7),
    );
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
    // multi-byte characters split across chunks decode once the whole body is joined
    expect(await readJsonBody(post(stream), bytes.length)).toEqual({ text: "é".repeat(500) });
    expect(await codeOf(readJsonBody(post(json), bytes.length - 1))).toBe("payload_too_large");
  });

  it("reads an empty body as {} and malformed JSON as invalid_json", async () => {
    expect(await readJsonBody(post(null))).toEqual({});
    expect(await readJsonBody(post("  \n"))).toEqual({});
    expect(await codeOf(readJsonBody(post("{not json")))).toBe("invalid_json");
  });
});
