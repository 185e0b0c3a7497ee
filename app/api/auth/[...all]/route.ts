import { toNextJsHandler } from "better-auth/next-js";
import { getAuth } from "@/lib/auth/server";
import { describeError, AppError } from "@/lib/errors";
import { clientAddress } from "@/lib/http/client-address";
import { enforceRateLimit } from "@/lib/http/rate-limit";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * better-auth's endpoints (sign-in, sign-out, session), under /api/auth. Not a contract route:
 * better-auth checks its own input and Origin. Sign-up is closed (admins add people), and
 * sign-in attempts are limited per address across every process (Redis).
 */
function handlers() {
  return toNextJsHandler(getAuth());
}

function refuse(error: AppError): Response {
  const { status, body, headers } = describeError(error, crypto.randomUUID());
  return Response.json(body, { status, headers });
}

export async function GET(request: Request): Promise<Response> {
  return handlers().GET(request);
}

export async function POST(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  if (path.startsWith("/api/auth/sign-up")) {
    return refuse(new AppError("forbidden", "Accounts are created by an admin (npm run keys -- user)"));
  }
  if (path.startsWith("/api/auth/sign-in")) {
    try {
      await enforceRateLimit("sign_in", clientAddress(request));
    } catch (error) {
      if (error instanceof AppError) return refuse(error);
      throw error;
    }
  }
  return handlers().POST(request);
}
