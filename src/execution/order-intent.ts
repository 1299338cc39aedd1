/**
 * What a policy or strategy wants traded, before risk: the symbol, side and whole-share
 * quantity, why, the price it expects, and when it decided. Intents are what the risk engine
 * approves, resizes or rejects; only approved intents become orders.
 */
export interface OrderIntent {
  /** Unique within a run and deterministic (run, bar, symbol), so an order derived from it can be deduplicated. */
  id: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: number;
  reason: string;
  /** The price the decision expected (the last close it saw). */
  estimated_price: number;
  /** The session whose close the decision was made on. */
  decided_at: string;
  /** True for orders that only take risk off (exits, kill-switch flattening). */
  reduce_only?: boolean;
  /** What the decision read (a digest of the policy's observation, the action), so it can be explained and replayed. */
  inputs?: Record<string, string | number>;
}

/** Signed shares of an intent (sells negative). */
export function signedQuantity(intent: Pick<OrderIntent, 'side' | 'quantity'>): number {
  return intent.side === 'buy' ? intent.quantity : -intent.quantity;
}
