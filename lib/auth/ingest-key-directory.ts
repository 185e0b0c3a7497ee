import { logger } from "../logger";

/**
 * The live ingest keys of every project, held in memory by each web process and reloaded in
 * the background every `refreshMs`: ingest authenticates a key without a database round
 * trip, and keeps accepting the keys it knows while PostgreSQL is away (revocations made
 * meanwhile apply once it is back). A key made since the last reload is looked up directly,
 * and kept from then on.
 */
/** What a live ingest key grants: its project, and the page origins that may send with it. */
export interface IngestKeyGrant {
  projectId: string;
  allowedOrigins: readonly string[];
}

export class IngestKeyDirectory {
  private keys = new Map<string, IngestKeyGrant>();
  private origins = new Set<string>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;
  private failing = false;
  private timer: NodeJS.Timeout | undefined;
  /** Bumped by invalidate(): what a load or lookup begun before it found is not kept. */
  private generation = 0;

  constructor(
    private readonly loadAll: () => Promise<({ hash: string } & IngestKeyGrant)[]>,
    private readonly lookupOne: (hash: string) => Promise<IngestKeyGrant | null>,
    private readonly refreshMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * What the live key with this hash grants, when the directory holds it and has loaded once:
   * the ingest route's path, without a promise (each costs on a Next.js request: its
   * AsyncLocalStorage hooks run for every one). Undefined: ask `grantOf`.
   */
  heldGrant(hash: string): IngestKeyGrant | undefined {
    if (this.loadedAt === Number.NEGATIVE_INFINITY) return undefined;
    // a due reload runs behind the request, as in grantOf
    if (this.now() - this.loadedAt >= this.refreshMs) this.reload().catch(() => undefined);
    return this.keys.get(hash);
  }

  /** What the live key with this hash grants, or null. */
  async grantOf(hash: string): Promise<IngestKeyGrant | null> {
    await this.refreshIfDue();
    const known = this.keys.get(hash);
    if (known !== undefined) return known;
    const generation = this.generation;
    const found = await this.lookupOne(hash);
    // a key made since the last load joins the directory at once, so an outage before the
    // next reload does not refuse it (the next reload drops it if it was revoked meanwhile)
    if (found && generation === this.generation) this.keys.set(hash, found);
    return found;
  }

  /** Whether any live key's project lets pages of `origin` send events (a CORS preflight). */
  async anyAllows(origin: string): Promise<boolean> {
    await this.refreshIfDue();
    return this.origins.has(origin);
  }

  private async refreshIfDue(): Promise<void> {
    const first = this.loadedAt === Number.NEGATIVE_INFINITY;
    if (this.now() - this.loadedAt >= this.refreshMs) {
      // the first load is waited for; later ones run behind the requests
      const reload = this.reload().catch(() => undefined);
      if (first) await reload;
    }
  }

  /**
   * Loads the keys now (server start) and again every `refreshMs` in the background, or every
   * `retryMs` until a first load succeeds: every process learns a new key within `refreshMs`,
   * whether or not it served a request meanwhile, so a PostgreSQL outage does not refuse it.
   * `stopRefreshing` ends it.
   */
  keepLoaded(retryMs = 1000): Promise<void> {
    const next = () => {
      this.stopRefreshing();
      const loaded = this.loadedAt !== Number.NEGATIVE_INFINITY;
      this.timer = setTimeout(() => void this.keepLoaded(retryMs), loaded ? this.refreshMs : retryMs);
      this.timer.unref();
    };
    return this.reload().then(next, next);
  }

  stopRefreshing(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Forgets the keys (a revocation in this process): the next lookup reloads them. */
  invalidate(): void {
    // a load or lookup already under way read the keys before the revocation: it must not
    // bring them back (the next request starts a new load)
    this.generation += 1;
    this.loading = undefined;
    this.loadedAt = Number.NEGATIVE_INFINITY;
    this.keys = new Map();
    this.origins = new Set();
  }

  private reload(): Promise<void> {
    if (this.loading) return this.loading;
    const generation = this.generation;
    const loading: Promise<void> = this.loadAll()
      .then((rows) => {
        if (generation !== this.generation) return;
        this.keys = new Map(rows.map(({ hash, ...grant }) => [hash, grant]));
        this.origins = new Set(rows.flatMap((row) => row.allowedOrigins));
        this.loadedAt = this.now();
        if (this.failing) logger.info({ keys: rows.length }, "ingest_keys_reloaded");
        this.failing = false;
      })
      .catch((error: unknown) => {
        // keep the keys known so far; try again on a later request
        if (!this.failing) logger.warn({ err: error }, "ingest_keys_reload_failed");
        this.failing = true;
        throw error;
      })
      .finally(() => {
        if (this.loading === loading) this.loading = undefined;
      });
    this.loading = loading;
    return loading;
  }
}
