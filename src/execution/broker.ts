/**
 * What the order router needs of a broker (the simulated one, Alpaca). Field names follow
 * Alpaca's order object, so an adapter maps little.
 */
export type BrokerOrderStatus = 'new' | 'partially_filled' | 'filled' | 'canceled' | 'rejected';

export interface BrokerOrderRequest {
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  /** A limit or stop day order (market when absent), with its price, as Alpaca names them. */
  type?: 'limit' | 'stop';
  limit_price?: number;
  stop_price?: number;
  /** oco: a take-profit limit at limit_price and a stop-loss at stop_price, one cancelling the other (type 'limit'). */
  order_class?: 'oco';
  /**
   * A protective exit: it may only reduce the position, never open or flip one (the simulated
   * exchange cuts it to what is held when it fills; Alpaca, which has no such flag for
   * equities, is sent the quantity held).
   */
  reduce_only?: boolean;
}

export interface BrokerOrderState extends BrokerOrderRequest {
  id: string;
  status: BrokerOrderStatus;
  filled_qty: number;
  filled_avg_price: number | null;
}

export interface BrokerPosition {
  symbol: string;
  /** Signed shares (short negative). */
  qty: number;
}

/**
 * A broker call that failed. `kind` says what a retry can do: a timeout may or may not have
 * reached the broker (look the order up before sending it again); rate limits and server errors
 * are worth retrying; a duplicate client order id means the order is already there; anything
 * else is final.
 */
export class BrokerError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'rate_limited' | 'server' | 'duplicate' | 'rejected',
    readonly retryAfterMs?: number,
    /** The broker's HTTP status, when it answered; undefined when it could not be reached. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'BrokerError';
  }

  get transient(): boolean {
    return this.kind === 'timeout' || this.kind === 'rate_limited' || this.kind === 'server';
  }
}

export interface Broker {
  submitOrder(order: BrokerOrderRequest): Promise<BrokerOrderState>;
  /** The order with this client order id, or null if the broker never received it. */
  getOrderByClientId(clientOrderId: string): Promise<BrokerOrderState | null>;
  cancelAllOrders(): Promise<void>;
  getPositions(): Promise<BrokerPosition[]>;
}
