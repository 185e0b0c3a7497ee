import { type z } from "zod";
import { AppError } from "../errors";
import { toErrorDetails } from "./rule-schema";

/** The request's JSON body, or AppError("invalid_json"). */
export async function readJsonBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.length > 64 * 1024) throw new AppError("payload_too_large", "The body is larger than 64 KiB");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError("invalid_json", "The body is not valid JSON");
  }
}

/** Parses with a zod schema; failures become validation_failed with one detail per field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new AppError("validation_failed", "The request body is invalid", {
      details: toErrorDetails(result.error),
    });
  }
  return result.data;
}

/** A route parameter; a malformed id is simply not found. */
export function parseIdParam<S extends z.ZodType>(schema: S, value: string, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError("not_found", `No such ${what}`);
  return result.data;
}
