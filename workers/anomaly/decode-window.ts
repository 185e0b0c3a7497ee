import { closedWindowSchema, type ClosedWindow } from "@/lib/events/closed-window";

export type DecodedWindow = { ok: true; window: ClosedWindow } | { ok: false; reason: string };

/** A closed-window message value → the window, or why it cannot be read. */
export function decodeClosedWindow(value: Buffer | null): DecodedWindow {
  if (value === null) return { ok: false, reason: "empty: no value" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString("utf8"));
  } catch {
    return { ok: false, reason: "invalid_json: not JSON" };
  }
  const result = closedWindowSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    return {
      ok: false,
      reason: `invalid_window: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim(),
    };
  }
  return { ok: true, window: result.data };
}
