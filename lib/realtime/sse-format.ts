/** Server-Sent Events framing (https://html.spec.whatwg.org/multipage/server-sent-events.html). */

/** One event. `data` must be a single line (JSON.stringify output is). */
export function formatSseEvent(event: { id?: string; event?: string; data: string }): string {
  let frame = "";
  if (event.id !== undefined) frame += `id: ${event.id}\n`;
  if (event.event !== undefined) frame += `event: ${event.event}\n`;
  // TRICKY: a raw newline would split the data into several fields; JSON may carry \u2028 safely.
  for (const line of event.data.split(/\r\n|\r|\n/)) frame += `data: ${line}\n`;
  return `${frame}\n`;
}

/** A comment line: ignored by EventSource, keeps proxies and the connection alive. */
export function formatSseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, " ")}\n\n`;
}

/** Tells EventSource how long to wait before reconnecting. */
export function formatSseRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.round(ms))}\n\n`;
}
