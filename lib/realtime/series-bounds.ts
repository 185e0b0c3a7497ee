import "server-only";
import { listAdmittedRegions } from "@/db/queries/aggregation-regions";
import { getEnv } from "../env";
import { logger } from "../logger";
import { OVERFLOW_BUCKET, UNKNOWN_REGION } from "../services/events/cardinality-sql";

const REFRESH_MS = 10_000;

/**
 * The live counts' series, bounded as the aggregates are (cardinality-sql.ts): a type that is
 * not configured is "other"; a region is itself while it is admitted, or while places are
 * left (the processor will admit it), else "other". The admitted regions are read from
 * PostgreSQL in the background at most every 10 s (`getSeriesBounds` asks once per request);
 * until then, and while PostgreSQL is away, the last list read is used.
 */
export class SeriesBounds {
  private readonly types: Set<string>;
  private admitted = new Set<string>();
  private loadedAt = 0;
  private loading = false;

  constructor(
    types: readonly string[],
    private readonly regionLimit: number,
    private readonly scope: string,
    private readonly load: (scope: string) => Promise<string[]>,
  ) {
    this.types = new Set(types);
  }

  type(eventType: string): string {
    return this.types.has(eventType) ? eventType : OVERFLOW_BUCKET;
  }

  region(region: string): string {
    if (region === UNKNOWN_REGION || this.admitted.has(region) || this.admitted.size < this.regionLimit)
      return region;
    return OVERFLOW_BUCKET;
  }

  /** Reads the admitted regions now (tests; the first use starts a background read by itself). */
  async refresh(): Promise<void> {
    this.admitted = new Set(await this.load(this.scope));
    this.loadedAt = Date.now();
  }

  /** Starts a background read when the list is older than 10 s: once per request, not per event. */
  refreshIfStale(): void {
    if (this.loading || Date.now() - this.loadedAt < REFRESH_MS) return;
    this.loading = true;
    this.refresh()
      .catch((error: unknown) => {
        this.loadedAt = Date.now(); // try again after the interval, not on every event
        logger.debug({ err: error }, "admitted_regions_refresh_failed");
      })
      .finally(() => {
        this.loading = false;
      });
  }
}

const globalKey = Symbol.for("analytics.series-bounds");
type GlobalWithBounds = typeof globalThis & { [globalKey]?: Map<string, SeriesBounds> };

/** This web process's bounds of a project (each project admits its own regions). */
export function getSeriesBounds(projectId: string): SeriesBounds {
  const holder = globalThis as GlobalWithBounds;
  const byProject = (holder[globalKey] ??= new Map());
  let bounds = byProject.get(projectId);
  if (!bounds) {
    const env = getEnv();
    bounds = new SeriesBounds(
      env.EVENT_TYPES,
      env.AGGREGATION_REGION_LIMIT,
      env.PROCESSOR_GROUP_ID,
      (scope) => listAdmittedRegions(scope, projectId),
    );
    byProject.set(projectId, bounds);
  }
  bounds.refreshIfStale();
  return bounds;
}
