/** What a webhook answer means for the delivery. */
export type ResponseClass = "delivered" | "retry" | "permanent";

/**
 * 2xx delivered. 408 (timeout) and 429 (rate limit) and 5xx are worth retrying; any other 4xx
 * means the request itself is refused and will be refused again; redirects are not followed
 * (the target would escape the URL check). `null` is a network error or timeout: retry.
 */
export function classifyResponse(status: number | null): ResponseClass {
  if (status === null) return "retry";
  if (status >= 200 && status < 300) return "delivered";
  if (status === 408 || status === 429) return "retry";
  if (status >= 500) return "retry";
  return "permanent";
}
