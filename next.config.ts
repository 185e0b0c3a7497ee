import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";
import { securityHeaders } from "./lib/security/headers";

export default function config(phase: string): NextConfig {
  return {
    // Server libraries with native parts, worker threads or dynamic requires stay unbundled.
    serverExternalPackages: ["kafkajs", "pino", "ioredis", "postgres", "bullmq", "prom-client"],
    poweredByHeader: false,
    // Each process loads a route's code when the route is first requested, not every page and
    // route at start (Next.js's default). Loaded, the dashboard, sign-in and admin routes added
    // ~24 MB to each process's live heap, which every full GC marks again: a process serving
    // only ingest spent about twice the GC-thread CPU per one-event request, and ~10 % more
    // CPU in all (docs/performance.md, session 12). The cost: a route's first request loads it.
    experimental: { preloadEntriesOnStart: false },
    reactStrictMode: true,
    // `npm run verify` type-checks the whole repository once; the build need not repeat it.
    typescript: { ignoreBuildErrors: true },
    // CSP, framing, sniffing, referrer: on every page and API answer. Why the CSP is static
    // (no per-request nonce): lib/security/headers.ts.
    async headers() {
      const headers = securityHeaders({ development: phase === PHASE_DEVELOPMENT_SERVER });
      return [
        // Pages, assets and better-auth's endpoints. The routes built on withRoute (the rest of
        // /api, and /metrics) set the same headers themselves (lib/http/route.ts): Next.js
        // compiles every configured header value again on each request it matches, which cost
        // ~3 % of a one-event ingest request's CPU (docs/performance.md).
        { source: "/((?!api/|metrics).*)", headers },
        { source: "/api/auth/:path*", headers },
      ];
    },
  };
}
