/**
 * The security headers of every response (next.config.ts `headers()`), kept here so they are
 * unit-tested and documented in one place (docs/security.md#hardening).
 *
 * TRICKY: why a static CSP and not a per-request nonce. The App Router streams its RSC payload as
 * inline `<script>self.__next_f.push(…)</script>` tags, so without a nonce `script-src` needs
 * 'unsafe-inline'. A nonce needs Proxy to mint one per request and every page rendered per
 * request; it also needs every inline script to carry it. This policy still forbids every other
 * origin (scripts, frames, objects, form targets, connections), base-URI hijacks and framing; the
 * page renders user data through React's escaping only. Since the layout now reads the session
 * (pages are dynamic anyway), `contentSecurityPolicy({ nonce })` is ready for proxy.ts to send a
 * nonce-based policy instead (see docs/security.md).
 */
export interface PolicyOptions {
  /** `next dev`: React's debugging uses eval, and hot reload a WebSocket. */
  development: boolean;
  /** A per-request nonce: 'nonce-…' 'strict-dynamic' replaces 'unsafe-inline' for scripts. */
  nonce?: string;
}

export function contentSecurityPolicy({ development, nonce }: PolicyOptions): string {
  const scripts =
    nonce === undefined ? ["'self'", "'unsafe-inline'"] : [`'nonce-${nonce}'`, "'strict-dynamic'"];
  if (development) scripts.push("'unsafe-eval'");
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    "script-src": scripts,
    // React and recharts set style attributes; Tailwind's CSS is a file
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    // fetches and the live stream (EventSource) go to this origin only
    "connect-src": development ? ["'self'", "ws:", "wss:"] : ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "frame-src": ["'none'"],
    "worker-src": ["'self'", "blob:"],
    "manifest-src": ["'self'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(" ")}`)
    .join("; ");
}

/** The security headers of every page and asset (next.config.ts). */
export function securityHeaders({ development }: { development: boolean }): { key: string; value: string }[] {
  const headers = [
    { key: "Content-Security-Policy", value: contentSecurityPolicy({ development }) },
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    // for browsers that predate frame-ancestors
    { key: "X-Frame-Options", value: "DENY" },
    {
      key: "Permissions-Policy",
      value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()",
    },
    { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
    // no-cors embeds from other sites only; CORS requests (ingest from a page's script) are unaffected
    { key: "Cross-Origin-Resource-Policy", value: "same-origin" },
    { key: "X-DNS-Prefetch-Control", value: "off" },
  ];
  // Browsers ignore it over plain HTTP; over HTTPS it keeps them there for a year.
  if (!development) headers.push({ key: "Strict-Transport-Security", value: "max-age=31536000" });
  return headers;
}

/**
 * The security headers of an API answer (JSON, CSV, NDJSON, an event stream; set by withRoute):
 * no document runs in one, so its policy allows nothing at all and forbids framing, and the
 * headers that only a document reads (Permissions-Policy, Referrer-Policy, COOP, DNS
 * prefetch) are left out, as OWASP's REST Security Cheat Sheet advises. They were about 600
 * of the ~1,100 bytes of a one-event ingest answer (docs/performance.md).
 */
export function apiSecurityHeaders(options: { development: boolean }): { key: string; value: string }[] {
  return securityHeaders(options)
    .filter(({ key }) => !DOCUMENT_ONLY_HEADERS.has(key))
    .map((header) => (header.key === "Content-Security-Policy" ? { ...header, value: API_POLICY } : header));
}

const API_POLICY = "default-src 'none'; frame-ancestors 'none'";
const DOCUMENT_ONLY_HEADERS = new Set([
  "Referrer-Policy",
  "Permissions-Policy",
  "Cross-Origin-Opener-Policy",
  "X-DNS-Prefetch-Control",
]);
