/**
 * The fan-out of the live channel inside one server process: every message gets the next
 * event id, goes into the replay buffer and to every connected client. No I/O here: the
 * Redis subscription feeds `publish` (see live-subscriber.ts), the route connects clients.
 */
import { formatEventId, LIVE_KIND_PATTERN, parseEventId } from "./live-protocol";
import { ReplayBuffer } from "./replay-buffer";
import type { CloseReason, SseClient } from "./sse-client";
import { formatSseComment, formatSseEvent } from "./sse-format";

export interface LiveHubOptions {
  serverId: string;
  replayCapacity?: number;
  replayMaxAgeMs?: number;
  heartbeatMs?: number;
  now?: () => number;
  /** Called for every client that leaves, with why (metrics, logs). */
  onClientClosed?: (reason: CloseReason) => void;
}

export type PublishOutcome = "sent" | "invalid";

export interface StreamLimits {
  /** Streams this process holds at most. */
  maxConnections: number;
  /** Streams one client address holds at most (in this process). */
  maxPerClient: number;
}

/** Why a new stream is refused: this process is full, or its client's address is. */
export type StreamRefusal = "process" | "client";

export class LiveHub {
  readonly serverId: string;
  private sequence = 0;
  private readonly clients = new Set<SseClient>();
  /** Each client's address (for the per-client cap) and the streams each address holds. */
  private readonly addressOf = new Map<SseClient, string>();
  private readonly perAddress = new Map<string, number>();
  private readonly replay: ReplayBuffer;
  private readonly heartbeatMs: number;
  private readonly now: () => number;
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: LiveHubOptions) {
    this.serverId = options.serverId;
    this.replay = new ReplayBuffer(options.replayCapacity ?? 2048, options.replayMaxAgeMs ?? 60_000);
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.now = options.now ?? Date.now;
  }

  /** The id of the latest message, which a client connecting now has seen everything up to. */
  get lastEventId(): string {
    return formatEventId(this.serverId, this.sequence);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Streams open from `address` in this process. */
  connectionsFrom(address: string): number {
    return this.perAddress.get(address) ?? 0;
  }

  /**
   * Whether a new stream from `address` would pass the caps (undefined) or why not. Check it
   * in the same tick as `connect`, so two requests cannot both take the last place.
   */
  refusal(address: string, limits: StreamLimits): StreamRefusal | undefined {
    if (this.clients.size >= limits.maxConnections) return "process";
    if (this.connectionsFrom(address) >= limits.maxPerClient) return "client";
    return undefined;
  }

  /**
   * A raw message from the live channel: a JSON object with a string `kind`. It is sent
   * unchanged as the data of an event named after the kind, so kinds added later pass through.
   */
  publishRaw(raw: string): PublishOutcome {
    let kind: unknown;
    try {
      const parsed: unknown = JSON.parse(raw);
      kind = typeof parsed === "object" && parsed !== null ? (parsed as { kind?: unknown }).kind : undefined;
    } catch {
      return "invalid";
    }
    if (typeof kind !== "string" || !LIVE_KIND_PATTERN.test(kind)) return "invalid";
    this.broadcast(kind, raw);
    return "sent";
  }

  /** A message whose kind the caller checked already (LIVE_KIND_PATTERN): sent unchanged. */
  publishKind(kind: string, raw: string): void {
    this.broadcast(kind, raw);
  }

  /** A message that originates in this process (resync notices). */
  publish(message: { kind: string } & Record<string, unknown>): void {
    this.broadcast(message.kind, JSON.stringify(message));
  }

  /**
   * Connects a client. With a `Last-Event-ID` this process still holds the messages after,
   * those are replayed (exactly: no gap, no repeat) and `resumed` is true; otherwise the
   * caller must send the client a snapshot first.
   */
  connect(client: SseClient, lastEventId?: string | null, address?: string): { resumed: boolean } {
    const parsed = parseEventId(lastEventId);
    const missed =
      parsed && parsed.serverId === this.serverId
        ? this.replay.since(parsed.sequence, this.sequence, this.now())
        : undefined;
    // Same tick as the replay: nothing can be published in between.
    if (!this.clients.has(client) && address !== undefined) {
      this.addressOf.set(client, address);
      this.perAddress.set(address, this.connectionsFrom(address) + 1);
    }
    this.clients.add(client);
    this.ensureHeartbeat();
    if (missed) for (const frame of missed) if (!client.send(frame)) break;
    return { resumed: missed !== undefined };
  }

  disconnect(client: SseClient): void {
    if (!this.clients.delete(client)) return;
    this.forgetAddress(client);
    if (this.clients.size === 0) this.stopHeartbeat();
  }

  private forgetAddress(client: SseClient): void {
    const address = this.addressOf.get(client);
    if (address === undefined) return;
    this.addressOf.delete(client);
    const left = this.connectionsFrom(address) - 1;
    if (left > 0) this.perAddress.set(address, left);
    else this.perAddress.delete(address);
  }

  /** Closes every client (process shutdown); their EventSources will reconnect elsewhere. */
  closeAll(reason: CloseReason = "server_shutdown"): void {
    for (const client of [...this.clients]) client.close(reason);
    this.clients.clear();
    this.addressOf.clear();
    this.perAddress.clear();
    this.stopHeartbeat();
  }

  /** Called by clients as they close (wired in the route), whatever the cause. */
  clientClosed(client: SseClient, reason: CloseReason): void {
    this.disconnect(client);
    this.options.onClientClosed?.(reason);
  }

  sendHeartbeat(): void {
    const frame = formatSseComment(`ping ${new Date(this.now()).toISOString()}`);
    for (const client of [...this.clients]) client.send(frame);
  }

  private broadcast(kind: string, data: string): void {
    this.sequence += 1;
    const frame = formatSseEvent({ id: formatEventId(this.serverId, this.sequence), event: kind, data });
    this.replay.push(this.sequence, frame, this.now());
    // A copy: a slow client closing itself removes it from the set while we iterate.
    for (const client of [...this.clients]) client.send(frame);
  }

  private ensureHeartbeat(): void {
    if (this.heartbeat || this.heartbeatMs <= 0) return;
    this.heartbeat = setInterval(() => this.sendHeartbeat(), this.heartbeatMs);
    this.heartbeat.unref?.();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
