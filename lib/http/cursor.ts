import { AppError } from "../errors";

/**
 * Opaque cursors for keyset pagination (lists answer `{data, next_cursor}`; the client passes
 * `next_cursor` back as `cursor`): base64url JSON of the last row's sort key.
 */
function encode(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

function decode(cursor: string): unknown[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parsed)) return parsed;
  } catch {
    // reported below
  }
  throw invalidCursor();
}

function invalidCursor(): AppError {
  return new AppError("invalid_query", "Invalid cursor", {
    details: [{ path: "cursor", message: "is not a cursor this API issued" }],
  });
}

/**
 * One page of a keyset list fetched with `limit + 1` rows: the first `limit`, and the cursor
 * after the last of them (null when no row follows).
 */
export function keysetPage<T>(
  rows: readonly T[],
  limit: number,
  cursorOf: (last: T) => string,
): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

/** For lists ordered by (time desc, id desc). */
export function encodeTimeIdCursor(time: Date, id: string): string {
  return encode([time.toISOString(), id]);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The (time, id) of a cursor from encodeTimeIdCursor; a 400 naming `cursor` otherwise
 * (`uuidId`: the id must be a UUID, as the list's id column is).
 */
export function decodeTimeIdCursor(cursor: string, { uuidId = false } = {}): { time: Date; id: string } {
  const [time, id] = decode(cursor);
  if (typeof time !== "string" || typeof id !== "string" || (uuidId && !UUID.test(id))) throw invalidCursor();
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) throw invalidCursor();
  return { time: date, id };
}

/** For lists ordered by a numeric id, descending. */
export function encodeIdCursor(id: number): string {
  return encode([id]);
}

/** The id of a cursor from encodeIdCursor; a 400 naming `cursor` otherwise. */
export function decodeIdCursor(cursor: string): number {
  const [id] = decode(cursor);
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 1) throw invalidCursor();
  return id;
}
