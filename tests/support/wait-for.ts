/** Polls `check` until it returns true, or fails after `timeoutMs` naming what it waited for. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  {
    timeoutMs = 30_000,
    intervalMs = 100,
    what = "a condition",
  }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
      if (error instanceof Error && error.message.includes("exited early")) throw error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
