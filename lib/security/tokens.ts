import { createHash, randomBytes } from "node:crypto";

/** What a credential starts with: tells its kind at a glance (and to secret scanners). */
export const TOKEN_PREFIXES = { ingest: "pulse_ik_", api: "pulse_pat_" } as const;
export type TokenKind = keyof typeof TOKEN_PREFIXES;

/** Characters of a credential kept in lists, to tell keys apart without storing them. */
const SHOWN_CHARS = 6;

/** SHA-256 of a credential, hex: what is stored and looked up. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A new credential (192 random bits): the token is shown once, the hash and prefix are stored. */
export function newToken(kind: TokenKind): { token: string; prefix: string; hash: string } {
  const token = `${TOKEN_PREFIXES[kind]}${randomBytes(24).toString("base64url")}`;
  return { token, prefix: token.slice(0, TOKEN_PREFIXES[kind].length + SHOWN_CHARS), hash: hashToken(token) };
}

/** The kind a presented credential claims to be, or undefined for anything else. */
export function tokenKind(token: string): TokenKind | undefined {
  if (token.startsWith(TOKEN_PREFIXES.ingest)) return "ingest";
  if (token.startsWith(TOKEN_PREFIXES.api)) return "api";
  return undefined;
}
