import { NextResponse } from "next/server";

/**
 * The baseline has no proxy of its own; this one matches no request. TRICKY: without it, a
 * build of this folder, nested in the repository, took the repository's proxy.ts (Turbopack's
 * root is the repository, where the lockfile is) and failed on its imports.
 */
export default function proxy(): NextResponse {
  return NextResponse.next();
}

export const config = { matcher: ["/__baseline_has_no_proxy__"] };
