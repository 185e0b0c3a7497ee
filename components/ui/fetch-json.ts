/** An API answer that was not 2xx, with the server's error code when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** GETs (or sends) JSON from our API; throws ApiError with the server's message on failure. */
export async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, { cache: "no-store", ...init });
  if (response.status === 401 && typeof window !== "undefined") {
    // the session ended (expired, signed out elsewhere): sign in again, then come back
    const back = `${window.location.pathname}${window.location.search}`;
    window.location.assign(`/sign-in?next=${encodeURIComponent(back)}`);
  }
  if (!response.ok) {
    let code: string | undefined;
    let message = `${response.status} ${response.statusText}`.trim();
    let details: { path: string; message: string }[] = [];
    try {
      const body = (await response.json()) as {
        error?: { code?: string; message?: string; details?: { path: string; message: string }[] };
      };
      code = body.error?.code;
      if (body.error?.message) message = body.error.message;
      details = body.error?.details ?? [];
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(response.status, code, message, details);
  }
  return (await response.json()) as T;
}
