import { logger } from "./logger";

const RETRYABLE_PG_CODES = new Set(["40P01", "40001"]); // deadlock, serialization failure

/**
 * Retries a transaction that lost a deadlock or serialization race (it rolled back whole),
 * or failed with one of `alsoRetryable`, codes the caller knows a retry resolves. `work`
 * gets the attempt's number (1 first), for a caller whose retry differs from its first try.
 */
export async function retryTransaction<T>(
  work: (attempt: number) => Promise<T>,
  { attempts = 5, alsoRetryable = [] }: { attempts?: number; alsoRetryable?: readonly string[] } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      const code = (error as { code?: string }).code;
      const retryable = code !== undefined && (RETRYABLE_PG_CODES.has(code) || alsoRetryable.includes(code));
      if (attempt >= attempts || !retryable) throw error;
      logger.warn({ attempt, code }, "transaction_retry");
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}
