import { createHmac, timingSafeEqual } from "node:crypto";

/** The header that carries a delivery's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = "X-Pulse-Signature";

/** How far a signature's time may be from the receiver's clock by default (as Stripe: 5 minutes). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const hmac = (secret: string, timestamp: number, rawBody: string) =>
  createHmac("sha256", secret).update(`${timestamp}.${rawBody}`, "utf8").digest("hex");

/**
 * The X-Pulse-Signature value for `rawBody` sent at `timestamp` (unix seconds): the HMAC covers
 * the time too, so a captured delivery cannot be replayed once the receiver's tolerance passed.
 */
export function signPayload(secret: string, rawBody: string, timestamp: number): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, rawBody)}`;
}

/** `t` and every `v1` of a signature header, or undefined when it has no usable `t`. */
export function parseSignatureHeader(
  header: string,
): { timestamp: number; signatures: string[] } | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t" && value !== undefined && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === "v1" && value !== undefined) signatures.push(value);
  }
  return timestamp === undefined ? undefined : { timestamp, signatures };
}

export interface VerifyOptions {
  toleranceSeconds?: number;
  /** The receiver's clock, unix seconds (tests). */
  nowSeconds?: number;
}

/**
 * A receiver's check of an X-Pulse-Signature header against the raw body: a `t` within the
 * tolerance of now and a `v1` equal (constant time) to the HMAC of `<t>.<body>`.
 */
export function verifySignature(
  secret: string,
  rawBody: string,
  header: string | null | undefined,
  {
    toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
    nowSeconds = Math.floor(Date.now() / 1000),
  }: VerifyOptions = {},
): boolean {
  if (!header) return false;
  const parsed = parseSignatureHeader(header);
  if (!parsed || Math.abs(nowSeconds - parsed.timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmac(secret, parsed.timestamp, rawBody), "utf8");
  // TRICKY: every v1 is compared (a sender rotating its secret may send two), none short-circuits.
  let valid = false;
  for (const signature of parsed.signatures) {
    const given = Buffer.from(signature, "utf8");
    if (given.length === expected.length && timingSafeEqual(given, expected)) valid = true;
  }
  return valid;
}
