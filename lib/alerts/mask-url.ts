/**
 * Webhook URLs as the API shows them. Many carry a credential (Slack's and Discord's hold a token
 * in the path, others in the query or userinfo), so after creation only this form is returned:
 * scheme, host and port, the first path segment, and the query's names; the rest is "…".
 *
 *   https://user:pw@hooks.example.com/services/T0/B0/XyZ?token=abc#x → https://…@hooks.example.com/services/…?token=…
 */
export const MASK = "…";

/** The longest first path segment shown: a longer one is likely a token itself. */
const MAX_SHOWN_SEGMENT = 24;

export function maskWebhookUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return MASK;
  }
  const userinfo = url.username !== "" || url.password !== "" ? `${MASK}@` : "";
  const segments = url.pathname.split("/").slice(1);
  const [first = ""] = segments;
  const shownFirst = first.length <= MAX_SHOWN_SEGMENT ? first : MASK;
  const path = segments.length > 1 ? `/${shownFirst}/${MASK}` : `/${shownFirst}`;
  const names = [...new Set(url.searchParams.keys())];
  const query =
    names.length === 0 ? "" : `?${names.map((name) => `${encodeURIComponent(name)}=${MASK}`).join("&")}`;
  return `${url.protocol}//${userinfo}${url.host}${path}${query}`;
}

/** Whether `candidate` is what the API showed for `stored` (a client sending it back unchanged). */
export function isMaskOf(candidate: string, stored: string): boolean {
  return candidate === maskWebhookUrl(stored);
}
