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

/** The filters no index serves: with one of them a query is bounded in time. */
const UNINDEXED_FILTERS = ["user_id", "session_id", "property"] as const;
/** Without `from`, such a query looks back this far from `to` (or now). */
export const UNINDEXED_DEFAULT_RANGE_MS = 24 * 3600_000;
/** And never over a longer range: it reads every row of it, 30 days' partitions otherwise. */
export const UNINDEXED_MAX_RANGE_MS = 7 * 24 * 3600_000;

/**
 * A query filtering on user, session or property gets a time range: `from` defaults to 24 h
 * before `to`; a range over 7 days is refused (`range` names the problem), so one request
 * cannot scan the whole retention.
 */
export function boundUnindexedFilters<
  Q extends Pick<ListEventsQuery, "from" | "to" | (typeof UNINDEXED_FILTERS)[number]>,
>(query: Q, now: Date): Q | { range: string } {
  if (!UNINDEXED_FILTERS.some((name) => query[name] !== undefined)) return query;
  const to = query.to ?? now;
  const from = query.from ?? new Date(to.getTime() - UNINDEXED_DEFAULT_RANGE_MS);
  if (to.getTime() - from.getTime() > UNINDEXED_MAX_RANGE_MS) {
    return { range: "with user_id, session_id or property, from and to must be at most 7 days apart" };
  }
  return { ...query, from };
}
