import { createHash } from 'node:crypto';

/**
 * The client order id of the order an intent becomes: derived from the run and the intent, so
 * a retry after a timeout sends the same id and a broker can never fill the same intent twice.
 * 32 hex characters (within Alpaca's 128-character limit).
 */
export function clientOrderId(runId: string, intentId: string): string {
  return createHash('sha256').update(`${runId}\n${intentId}`).digest('hex').slice(0, 32);
}
