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
  /**
   * A limit or stop day order (a market order when absent): it fills only at or through its
   * price. With order_class 'oco' (a position's protective exit), a limit at `limit_price` (the
   * take-profit) and a stop at `stop_price` (the stop-loss): whichever the market reaches first
   * fills and the other is cancelled, the stop first when a bar reaches both.
   */
  type?: 'limit' | 'stop';
  limit_price?: number;
  stop_price?: number;
  order_class?: 'oco';
  /** What the decision read (a digest of the policy's observation, the action), so it can be explained and replayed. */
  inputs?: Record<string, string | number>;
}

/** Signed shares of an intent (sells negative). */
export function signedQuantity(intent: Pick<OrderIntent, 'side' | 'quantity'>): number {
  return intent.side === 'buy' ? intent.quantity : -intent.quantity;
}
