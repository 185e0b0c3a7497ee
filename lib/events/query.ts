import { z } from "zod";

const time = z.union([
  z.iso.datetime({ offset: true }).transform((value) => new Date(value)),
  z.coerce
    .number()
    .int()
    .nonnegative()
    .transform((value) => new Date(value)),
]);

/** Query parameters of GET /api/events. */
export const listEventsQuery = z.strictObject({
  event_type: z.string().max(64).optional(),
  region: z.string().max(64).optional(),
  user_id: z.string().max(128).optional(),
  session_id: z.string().max(128).optional(),
  from: time.optional(),
  to: time.optional(),
  /** `properties.<key>=<value>` style filter, written as property=key:value. */
  property: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}:.{0,256}$/, "must look like key:value")
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(512).optional(),
});

export type ListEventsQuery = z.infer<typeof listEventsQuery>;

/** Query parameters of GET /api/aggregations. */
export const aggregationsQuery = z.strictObject({
  event_type: z.string().max(64).default("*"),
  region: z.string().max(64).default("*"),
  window: z.coerce.number().int().positive().default(300),
  from: time.optional(),
  to: time.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(2_000),
});

export type AggregationsQuery = z.infer<typeof aggregationsQuery>;
