import { z } from "zod";

/**
 * Building blocks of the response schemas. A response schema restates a TypeScript type that
 * lives beside the code producing it (a query's row, a DTO); `Same` makes that a compile-time
 * check, so the documented shape cannot drift from the one sent.
 */

/** Both types assignable to each other, with the same top-level keys (optional ones included). */
export type Same<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? [keyof A] extends [keyof B]
      ? [keyof B] extends [keyof A]
        ? true
        : false
      : false
    : false
  : false;
export type Assert<T extends true> = T;

/** An ISO 8601 time as the API writes it (`Date.prototype.toISOString`). */
export const isoTime = z.string().meta({ format: "date-time" });

/** A list's answer: a page of items and the cursor of the next page. */
export function page<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    next_cursor: z
      .string()
      .nullable()
      .meta({ description: "pass it back as `cursor` for the next page; null on the last page" }),
  });
}

/** Path parameters of the routes under `[id]`. */
export const idParams = <T extends z.ZodType>(id: T) => z.strictObject({ id });
