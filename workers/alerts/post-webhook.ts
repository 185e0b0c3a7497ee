import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { hostAsIp, isLocalName, isNonPublicAddress } from "@/lib/alerts/address-ranges";

export class WebhookRequestError extends Error {
  constructor(
    message: string,
    readonly kind: "blocked" | "timeout" | "network",
  ) {
    super(message);
    this.name = "WebhookRequestError";
  }
}

/**
 * A DNS lookup that refuses non-public answers, so the address connected to is the one
 * checked (a name cannot resolve to a public address at validation and to 127.0.0.1 now).
 */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...(options as LookupOptions), all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      const refused = !allowPrivate && addresses.some((entry) => isNonPublicAddress(entry.address));
      if (refused) {
        return callback(
          new WebhookRequestError(`${hostname} resolves to a non-public address`, "blocked"),
          "",
          0,
        );
      }
      if ((options as LookupOptions).all) {
        return (callback as unknown as (err: null, all: LookupAddress[]) => void)(null, addresses);
      }
      const first = addresses[0];
      if (!first) return callback(new WebhookRequestError(`${hostname} did not resolve`, "network"), "", 0);
      return callback(null, first.address, first.family);
    });
  };
}

/** POSTs `body` and returns the status code; throws WebhookRequestError on no answer. */
export async function postWebhook(
  target: string,
  body: string,
  headers: Record<string, string>,
  { timeoutMs, allowPrivate }: { timeoutMs: number; allowPrivate: boolean },
): Promise<number> {
  const url = new URL(target);
  if (!allowPrivate) {
    const literal = hostAsIp(url.hostname);
    if ((literal !== undefined && isNonPublicAddress(literal)) || isLocalName(url.hostname)) {
      throw new WebhookRequestError(`${url.hostname} is not a public address`, "blocked");
    }
  }
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const request = send(
      url,
      {
        method: "POST",
        headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) },
        lookup: guardedLookup(allowPrivate),
        timeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response: IncomingMessage) => {
        // The answer's body is not used; drain it so the socket is released.
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
        response.on("error", (error) => reject(new WebhookRequestError(error.message, "network")));
      },
    );
    request.on("timeout", () =>
      request.destroy(new WebhookRequestError(`no answer within ${timeoutMs} ms`, "timeout")),
    );
    request.on("error", (error: Error) => {
      if (error instanceof WebhookRequestError) return reject(error);
      const kind = error.name === "AbortError" || error.name === "TimeoutError" ? "timeout" : "network";
      reject(
        new WebhookRequestError(
          kind === "timeout" ? `no answer within ${timeoutMs} ms` : error.message,
          kind,
        ),
      );
    });
    request.end(body);
  });
}
