/**
 * Event ids and the time inside them. The server's ids are UUIDv7: their first 48 bits are
 * the Unix time in milliseconds. An event sent without a `timestamp` takes its time from a
 * UUIDv7 id, the server's or the client's own, so that a retry of it (a 503 answered, the
 * ids from its body resent, the time left out) has the same id AND the same time as the
 * original, whenever it arrives: deduplication does not depend on when the server saw it.
 */
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The millisecond time of a lowercase canonical UUIDv7, or undefined for any other id. */
export function uuidV7Time(id: string): number | undefined {
  if (id.length !== 36 || !UUID_V7.test(id)) return undefined;
  return Number.parseInt(id.slice(0, 8), 16) * 0x10000 + Number.parseInt(id.slice(9, 13), 16);
}

/** The millisecond time in the first six bytes of a UUIDv7. */
export function uuidV7BytesTime(bytes: Uint8Array): number {
  let time = 0;
  for (let i = 0; i < 6; i++) time = time * 256 + (bytes[i] ?? 0);
  return time;
}
