"use client";

import {
  createContext,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from "react";
import { LiveCountsStore } from "@/components/overview/live-counts-store";
import type { LiveCountsMessage, LiveSnapshotMessage } from "@/lib/realtime/live-protocol";

/**
 * One EventSource to /api/stream per browser tab, shared by every component through
 * `useLiveEvent(kind, handler)`. EventSource reconnects by itself (sending Last-Event-ID,
 * so the server replays what was missed); if the browser gives up (the server answered
 * with an error), a new one is opened with backoff, resuming from the last id seen.
 */
export type LiveStatus = "connecting" | "open" | "reconnecting";

export interface LiveEvent<T = unknown> {
  kind: string;
  id: string;
  data: T;
}

type Listener = (event: LiveEvent) => void;

class LiveStreamClient {
  private source: EventSource | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly attached = new Set<string>();
  private readonly statusListeners = new Set<() => void>();
  private lastEventId = "";
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private stopped = true;
  status: LiveStatus = "connecting";

  constructor(private readonly url: string) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = undefined;
    this.attached.clear();
  }

  subscribe(kind: string, listener: Listener): () => void {
    let set = this.listeners.get(kind);
    if (!set) {
      set = new Set();
      this.listeners.set(kind, set);
    }
    set.add(listener);
    this.attach(kind);
    return () => {
      set.delete(listener);
    };
  }

  subscribeStatus = (listener: () => void): (() => void) => {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  };

  getStatus = (): LiveStatus => this.status;

  private setStatus(status: LiveStatus) {
    if (status === this.status) return;
    this.status = status;
    for (const listener of this.statusListeners) listener();
  }

  private open() {
    const url = this.lastEventId
      ? `${this.url}?last_event_id=${encodeURIComponent(this.lastEventId)}`
      : this.url;
    const source = new EventSource(url);
    this.source = source;
    this.attached.clear();
    source.onopen = () => {
      this.failures = 0;
      this.setStatus("open");
    };
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (an error status or a wrong content type): retry ourselves.
        source.close();
        this.setStatus("reconnecting");
        this.failures += 1;
        const delay = Math.min(30_000, 1000 * 2 ** Math.min(this.failures, 5));
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => {
          if (!this.stopped) this.open();
        }, delay);
      } else {
        this.setStatus("reconnecting");
      }
    };
    for (const kind of this.listeners.keys()) this.attach(kind);
  }

  /** Drops the resume point and reconnects, so that the server sends a fresh snapshot. */
  resync(): void {
    if (this.stopped) return;
    this.lastEventId = "";
    this.source?.close();
    this.setStatus("reconnecting");
    this.open();
  }

  private attach(kind: string) {
    const source = this.source;
    if (!source || this.attached.has(kind)) return;
    this.attached.add(kind);
    source.addEventListener(kind, (message: MessageEvent<string>) => {
      if (message.lastEventId) this.lastEventId = message.lastEventId;
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      const event: LiveEvent = { kind, id: message.lastEventId, data };
      for (const listener of this.listeners.get(kind) ?? []) listener(event);
    });
  }
}

/**
 * The live counts of the last five minutes, kept for the whole tab (not only while the
 * overview is mounted: the snapshot comes once per connection). Re-renders at most every
 * RENDER_INTERVAL_MS however fast counts arrive.
 */
const RENDER_INTERVAL_MS = 250;

/**
 * What a render reads of the live counts: a new object each time the store changes (so it can be
 * a hook dependency) with the browser time it was published at (a render's "now" for views of it).
 */
export interface LiveCountsSnapshot {
  store: LiveCountsStore;
  atMs: number;
}

class LiveCounts {
  readonly store = new LiveCountsStore();
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The server render and hydration see the empty store. */
  readonly initialSnapshot: LiveCountsSnapshot = { store: this.store, atMs: 0 };
  private snapshot = this.initialSnapshot;

  constructor(client: LiveStreamClient) {
    client.subscribe("snapshot", (event) => {
      this.store.applySnapshot(event.data as LiveSnapshotMessage, Date.now());
      this.notify(true);
    });
    client.subscribe("counts", (event) => {
      this.store.applyCounts(event.data as LiveCountsMessage, Date.now());
      this.notify(false);
    });
    client.subscribe("resync", () => client.resync());
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): LiveCountsSnapshot => this.snapshot;

  getInitialSnapshot = (): LiveCountsSnapshot => this.initialSnapshot;

  private notify(now: boolean) {
    if (now) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.flush();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, RENDER_INTERVAL_MS);
    }
  }

  private flush() {
    this.snapshot = { store: this.store, atMs: Date.now() };
    for (const listener of this.listeners) listener();
  }
}

interface LiveContextValue {
  client: LiveStreamClient;
  counts: LiveCounts;
}

const LiveStreamContext = createContext<LiveContextValue | null>(null);

export function LiveStreamProvider({ children, url = "/api/stream" }: { children: ReactNode; url?: string }) {
  const [value] = useState<LiveContextValue>(() => {
    const client = new LiveStreamClient(url);
    return { client, counts: new LiveCounts(client) };
  });
  useEffect(() => {
    value.client.start();
    return () => value.client.stop();
  }, [value]);
  return <LiveStreamContext.Provider value={value}>{children}</LiveStreamContext.Provider>;
}

function useLiveContext(): LiveContextValue {
  const value = useContext(LiveStreamContext);
  if (!value) throw new Error("live stream hooks need a <LiveStreamProvider> above them");
  return value;
}

function useLiveClient(): LiveStreamClient {
  return useLiveContext().client;
}

/** The tab's live counts: a new snapshot object whenever the store changes (re-render trigger). */
export function useLiveCounts(): LiveCountsSnapshot {
  const { counts } = useLiveContext();
  return useSyncExternalStore(counts.subscribe, counts.getSnapshot, counts.getInitialSnapshot);
}

/** Event types and regions of the last five minutes, busiest first: suggestions for filters. */
export function useLiveNames(): { types: string[]; regions: string[] } {
  const live = useLiveCounts();
  return useMemo(() => {
    const view = live.store.view(live.atMs);
    return { types: view.byType.map((t) => t.name), regions: view.byRegion.map((r) => r.name) };
  }, [live]);
}

/**
 * Calls `handler` for every live event of `kind` ("counts", "snapshot", "window",
 * "anomaly", "alert", "resync", ...). The latest handler is used; no need to memoise it.
 */
export function useLiveEvent<T = unknown>(kind: string, handler: (event: LiveEvent<T>) => void): void {
  const client = useLiveClient();
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => client.subscribe(kind, (event) => latest.current(event as LiveEvent<T>)), [client, kind]);
}

/** Whether the live stream is connected, for status indicators. */
export function useLiveStatus(): LiveStatus {
  const client = useLiveClient();
  return useSyncExternalStore(client.subscribeStatus, client.getStatus, () => "connecting");
}
