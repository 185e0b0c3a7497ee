import { AppError } from "../errors";

export type BodyFormat = "json" | "ndjson";

/** Picks the body format from Content-Type; anything else is 415. */
export function detectFormat(contentType: string | null): BodyFormat {
  const mediaType = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (mediaType === "application/json" || mediaType === "") return "json";
  if (mediaType === "application/x-ndjson" || mediaType === "application/ndjson") return "ndjson";
  throw new AppError(
    "unsupported_media_type",
    `Content-Type "${mediaType}" is not supported: use application/json or application/x-ndjson`,
  );
}

/**
 * Turns the body into a list of raw events: one object, an array, or one object per
 * NDJSON line. `single` tells whether the client sent one bare object.
 */
export function parseEvents(text: string, format: BodyFormat): { items: unknown[]; single: boolean } {
  if (format === "ndjson") {
    const items: unknown[] = [];
    const lines = text.split("\n");
    for (let line = 0; line < lines.length; line++) {
      const trimmed = lines[line]?.trim() ?? "";
      if (trimmed === "") continue;
      try {
        items.push(JSON.parse(trimmed));
      } catch {
        throw new AppError("invalid_json", `Line ${line + 1} is not valid JSON`, {
          details: [{ index: items.length, path: "(line)", message: `line ${line + 1} is not valid JSON` }],
        });
      }
    }
    return { items, single: false };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError("invalid_json", "Request body is not valid JSON");
  }
  if (Array.isArray(parsed)) return { items: parsed, single: false };
  if (parsed !== null && typeof parsed === "object") return { items: [parsed], single: true };
  throw new AppError("validation_failed", "Body must be an event object or an array of events", {
    details: [{ path: "(body)", message: "must be an object or an array" }],
  });
}
