import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { RouteContract } from "@/lib/http/contract";
import { routeContracts } from "@/lib/http/contracts";
import { buildOpenApiDocument } from "@/lib/openapi/document";
import { GET } from "./route";

/** The routes the file system serves: every app/api/**\/route.ts and the methods it exports. */
const API_DIR = path.resolve(import.meta.dirname, "..");
const METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"];

interface ServedRoute {
  file: string;
  path: string;
  method: string;
  contract: RouteContract | undefined;
}

/** "alerts/rules/[id]/route.ts" → "/api/alerts/rules/{id}" */
function openApiPath(file: string): string {
  const folder = path.dirname(file).split(path.sep).join("/");
  return `/api/${folder}`.replace(/\[{1,2}(?:\.\.\.)?([^\]]+)\]{1,2}/g, "{$1}");
}

/**
 * Route files that are not contract routes, each with why. better-auth serves its own
 * endpoints (sign-in, sign-out, session) and checks their input, Origin and rate itself.
 */
const DELEGATED = new Map([["auth/[...all]/route.ts", "better-auth's endpoints"]]);

async function servedRoutes(): Promise<ServedRoute[]> {
  const files = readdirSync(API_DIR, { recursive: true, encoding: "utf8" })
    .filter((file) => path.basename(file) === "route.ts" && !DELEGATED.has(file))
    .sort();
  const routes: ServedRoute[] = [];
  for (const file of files) {
    const exports = (await import(/* @vite-ignore */ path.join(API_DIR, file))) as Record<string, unknown>;
    for (const method of METHODS.filter((name) => name in exports)) {
      const handler = exports[method] as { contract?: RouteContract };
      routes.push({ file, path: openApiPath(file), method, contract: handler.contract });
    }
  }
  return routes;
}

type Document = { paths: Record<string, Record<string, unknown>> };

/** "GET /api/x (x/route.ts)" for each served route the document does not describe. */
function undocumented(document: Document, routes: ServedRoute[]): string[] {
  return routes
    .filter((route) => document.paths[route.path]?.[route.method.toLowerCase()] === undefined)
    .map((route) => `${route.method} ${route.path} (${route.file})`);
}

describe("GET /api/openapi", async () => {
  const routes = await servedRoutes();
  const served = (await (await GET(new Request("http://localhost/api/openapi"))).json()) as Document;

  it("finds the route files by walking app/api", () => {
    expect(routes).toContainEqual(expect.objectContaining({ path: "/api/openapi", method: "GET" }));
    expect(routes).toContainEqual(
      expect.objectContaining({ path: "/api/alerts/rules/{id}", method: "DELETE" }),
    );
  });

  it("documents every exported method of every route file", () => {
    expect(undocumented(served, routes)).toEqual([]);
  });

  it("would name a route whose contract is missing from the document", () => {
    const withoutOne = buildOpenApiDocument(
      routeContracts.filter((contract) => contract.name !== "alerts.rules.delete"),
    ) as Document;
    expect(undocumented(withoutOne, routes)).toContain(
      "DELETE /api/alerts/rules/{id} (alerts/rules/[id]/route.ts)",
    );
  });

  it("binds each handler to the contract of its own path and method", () => {
    const mismatched = routes
      .filter((route) => route.contract?.path !== route.path || route.contract.method !== route.method)
      .map((route) => `${route.method} ${route.path}: ${route.contract?.method} ${route.contract?.path}`);
    expect(mismatched).toEqual([]);
  });

  it("has every route declare who may call it (authorization in one place: defineRoute)", () => {
    const undeclared = routes
      .filter(
        (route) => !["public", "ingest", "viewer", "member", "admin"].includes(route.contract?.access ?? ""),
      )
      .map((route) => `${route.method} ${route.path} (${route.file})`);
    expect(undeclared).toEqual([]);
    // the few routes anyone may call, on purpose
    expect(
      routes
        .filter((route) => route.contract?.access === "public")
        .map((route) => `${route.method} ${route.path}`),
    ).toEqual(["OPTIONS /api/events", "GET /api/health", "GET /api/metrics", "GET /api/openapi"]);
  });

  it("documents only what a route file serves", () => {
    const operations = Object.entries(served.paths).flatMap(([at, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${at}`),
    );
    expect(operations.sort()).toEqual(routes.map((route) => `${route.method} ${route.path}`).sort());
  });
});
