import { lookup as dnsLookup } from "node:dns/promises";
import { hostAsIp, isLocalName, isNonPublicAddress } from "./address-ranges";

export type ResolveHost = (hostname: string) => Promise<string[]>;

const resolveWithDns: ResolveHost = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/** The reason a webhook URL is refused, or undefined when it may be used. */
export async function checkWebhookUrl(
  raw: string,
  { allowPrivate, resolve = resolveWithDns }: { allowPrivate: boolean; resolve?: ResolveHost },
): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "must be a valid URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must use http or https";
  if (url.username !== "" || url.password !== "") return "must not contain credentials";
  if (allowPrivate) return undefined;
  const literal = hostAsIp(url.hostname);
  if (literal !== undefined) {
    return isNonPublicAddress(literal)
      ? "must not point to a loopback, private or link-local address"
      : undefined;
  }
  if (isLocalName(url.hostname)) return "must not point to a loopback, private or link-local address";
  let addresses: string[];
  try {
    addresses = await resolve(url.hostname);
  } catch {
    return "host name does not resolve";
  }
  if (addresses.length === 0) return "host name does not resolve";
  // TRICKY: every address counts; one private answer among public ones is enough to refuse.
  if (addresses.some(isNonPublicAddress)) {
    return "must not resolve to a loopback, private or link-local address";
  }
  return undefined;
}
