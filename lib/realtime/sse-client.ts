/**
 * One connected SSE client: a byte stream the route handler returns as its body, with a
 * bounded queue. The queue fills only when the network (through Next's backpressure) does
 * not take what we write: such a slow client is closed rather than allowed to grow memory;
 * its EventSource reconnects with Last-Event-ID and resumes from the replay buffer.
 */
export type CloseReason = "client_gone" | "slow_client" | "server_shutdown";

export interface SseClient {
  readonly id: number;
  readonly stream: ReadableStream<Uint8Array>;
  /** Queues a frame; false when the client is closed (now or before). */
  send(frame: string): boolean;
  /** While held, frames wait in memory (bounded alike) until `release`: used around the snapshot. */
  hold(): void;
  /** Sends `first` (if given), then what was held, and stops holding. */
  release(first?: string): void;
  close(reason: CloseReason): void;
  readonly closed: boolean;
}

let nextClientId = 1;
const encoder = new TextEncoder();

export function createSseClient(options: {
  /** Frames queued but not yet taken by the network before the client counts as slow. */
  maxQueue: number;
  onClose: (client: SseClient, reason: CloseReason) => void;
}): SseClient {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let closed = false;
  let held: string[] | undefined;

  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      cancel() {
        // The consumer (Next, on client disconnect) gave up on the body.
        finish("client_gone", false);
      },
    },
    new CountQueuingStrategy({ highWaterMark: options.maxQueue }),
  );

  const finish = (reason: CloseReason, closeStream: boolean) => {
    if (closed) return;
    closed = true;
    held = undefined;
    if (closeStream) {
      try {
        controller?.close();
      } catch {
        // already closed or errored by the consumer: nothing left to release
      }
    }
    options.onClose(client, reason);
  };

  const enqueue = (frame: string): boolean => {
    if (!controller) return false;
    // desiredSize = maxQueue - frames waiting; at 0 the network has stopped taking them.
    if ((controller.desiredSize ?? 0) <= 0) {
      finish("slow_client", true);
      return false;
    }
    try {
      controller.enqueue(encoder.encode(frame));
      return true;
    } catch {
      finish("client_gone", false);
      return false;
    }
  };

  const client: SseClient = {
    id: nextClientId++,
    stream,
    get closed() {
      return closed;
    },
    send(frame) {
      if (closed) return false;
      if (held) {
        if (held.length >= options.maxQueue) {
          finish("slow_client", true);
          return false;
        }
        held.push(frame);
        return true;
      }
      return enqueue(frame);
    },
    hold() {
      held ??= [];
    },
    release(first) {
      if (closed) return;
      const pending = first === undefined ? (held ?? []) : [first, ...(held ?? [])];
      held = undefined;
      for (const frame of pending) if (!enqueue(frame)) return;
    },
    close(reason) {
      finish(reason, true);
    },
  };
  return client;
}
