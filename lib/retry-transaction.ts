import { logger } from "./logger";

const RETRYABLE_PG_CODES = new Set(["40P01", "40001"]); // deadlock, serialization failure

/** Retries a transaction that lost a deadlock or serialization race (it rolled back whole). */
export async function retryTransaction<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= attempts || !code || !RETRYABLE_PG_CODES.has(code)) throw error;
      logger.warn({ attempt, code }, "transaction_retry");
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}
