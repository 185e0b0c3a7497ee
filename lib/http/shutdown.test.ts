import { afterEach, describe, expect, it, vi } from "vitest";

describe("the web process's drain flag", () => {
  afterEach(() => {
    vi.resetModules();
    delete (globalThis as Record<symbol, unknown>)[Symbol.for("analytics.web.shutdown")];
    process.removeAllListeners("SIGTERM");
    process.removeAllListeners("SIGINT");
  });

  it("is seen by every copy of the module once SIGTERM arrived (Next.js loads a module per bundle)", async () => {
    const registering = await import("./shutdown");
    let closed = 0;
    registering.registerWebShutdown(() => closed++);
    vi.resetModules();
    const anotherCopy = await import("./shutdown");
    expect(anotherCopy).not.toBe(registering);
    expect(anotherCopy.isDraining()).toBe(false);
    process.emit("SIGTERM", "SIGTERM");
    expect(anotherCopy.isDraining()).toBe(true);
    expect(closed).toBe(1);
  });
});
