import { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from "kafkajs";
import { describe, expect, it } from "vitest";
import { hasLostItsSequence } from "./producer";

/** A protocol error as kafkajs builds it from a broker's error code. */
function protocolError(type: string, code: number): KafkaJSProtocolError {
  return new KafkaJSProtocolError({ type, code, retriable: false, message: type } as unknown as Error);
}

describe("hasLostItsSequence", () => {
  it("recognises the protocol errors after which an idempotent producer cannot send, wrapped or not", () => {
    const outOfOrder = protocolError("OUT_OF_ORDER_SEQUENCE_NUMBER", 45);
    expect(hasLostItsSequence(outOfOrder)).toBe(true);
    expect(
      hasLostItsSequence(new KafkaJSNumberOfRetriesExceeded(outOfOrder, { retryCount: 4, retryTime: 1000 })),
    ).toBe(true);
    expect(hasLostItsSequence(protocolError("UNKNOWN_PRODUCER_ID", 59))).toBe(true);
  });

  it("leaves other failures to the ordinary 503 and retry", () => {
    expect(hasLostItsSequence(protocolError("NOT_LEADER_FOR_PARTITION", 6))).toBe(false);
    expect(hasLostItsSequence(new Error("connect ECONNREFUSED"))).toBe(false);
    expect(hasLostItsSequence(undefined)).toBe(false);
  });
});
