import { NextResponse, type NextRequest } from "next/server";
import { SESSION_COOKIES } from "@/lib/auth/cookies";

/**
 * Sends a browser without a session cookie to the sign-in page. Optimistic only (no database
 * here, as Next.js advises for Proxy): every API route checks the session itself, and a
 * stale cookie gets 401s there, which the dashboard answers with the same redirect.
 */

export default function proxy(request: NextRequest): NextResponse {
  if (SESSION_COOKIES.some((name) => request.cookies.has(name))) return NextResponse.next();
  const signIn = new URL("/sign-in", request.url);
  const back = `${request.nextUrl.pathname}${request.nextUrl.search}`;
  if (back !== "/") signIn.searchParams.set("next", back);
  return NextResponse.redirect(signIn);
}

export const config = {
  // pages only: not the API (it answers 401 itself), Next's assets, the sign-in page, /metrics
  matcher: ["/((?!api|_next/static|_next/image|favicon.ico|sign-in|metrics).*)"],
};
