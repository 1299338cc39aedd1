import { Alpaca, errors } from '@alpacahq/alpaca-trade-api';
import {
  BrokerError,
  type Broker,
  type BrokerOrderRequest,
  type BrokerOrderState,
  type BrokerOrderStatus,
  type BrokerPosition,
} from './broker.js';

export interface AlpacaBrokerOptions {
  keyId: string;
  secretKey: string;
  /** true for the paper environment; live is refused upstream unless every gate is open (see live-guard.ts). */
  paper: boolean;
  /** Send every request here instead of Alpaca's host (a local Alpaca-compatible server in tests). */
  baseUrl?: string;
  /** Per-request timeout; a timed-out order submission is looked up by its client order id before any retry. */
  timeoutMs?: number;
}

const PAPER_HOST = 'https://paper-api.alpaca.markets';
const LIVE_HOST = 'https://api.alpaca.markets';

/**
 * Alpaca behind the broker interface, through @alpacahq/alpaca-trade-api v4. The SDK's own
 * retries and rate limiter are off: the order router owns both, because retrying an order
 * submission safely needs the look-up-by-client-id step the SDK does not take. A base URL
 * override rewrites the SDK's host in its fetch (v4 has no baseUrl option). Error classes map
 * to what a retry can do.
 */
export class AlpacaBroker implements Broker {
  private readonly alpaca: Alpaca;

  constructor(o: AlpacaBrokerOptions) {
    const host = o.paper ? PAPER_HOST : LIVE_HOST;
    const rewrite: typeof fetch = (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      return fetch(o.baseUrl && url.startsWith(host) ? o.baseUrl + url.slice(host.length) : url, init);
    };
    this.alpaca = new Alpaca({
      keyId: o.keyId,
      secret: o.secretKey,
      paper: o.paper,
      retry: false,
      rateLimit: false,
      timeoutMs: o.timeoutMs ?? 10_000,
      fetchApi: rewrite,
    });
  }

  async submitOrder(order: BrokerOrderRequest): Promise<BrokerOrderState> {
    const common = { symbol: order.symbol, side: order.side, qty: order.qty, clientOrderId: order.client_order_id };
    const orders = this.alpaca.trading.orders;
    return this.guard(async () =>
      toState(
        await (order.order_class === 'oco'
          ? orders.oco({
              ...common,
              takeProfit: { limitPrice: order.limit_price! },
              stopLoss: { stopPrice: order.stop_price! },
              timeInForce: 'day',
            })
          : order.type === 'limit'
            ? orders.limit({ ...common, limitPrice: order.limit_price!, timeInForce: 'day' })
            : order.type === 'stop'
              ? orders.stop({ ...common, stopPrice: order.stop_price!, timeInForce: 'day' })
              : orders.market(common)),
      ),
    );
  }

  async getOrderByClientId(clientOrderId: string): Promise<BrokerOrderState | null> {
    try {
      return await this.guard(async () =>
        toState(await this.alpaca.trading.orders.getOrderByClientOrderId({ clientOrderId })),
      );
    } catch (err) {
      if (err instanceof BrokerError && err.message.startsWith('404')) return null;
      throw err;
    }
  }

  async cancelAllOrders(): Promise<void> {
    await this.guard(() => this.alpaca.trading.orders.deleteAllOrders());
  }

  async getPositions(): Promise<BrokerPosition[]> {
    const positions = await this.guard(() => this.alpaca.trading.positions.getAllOpenPositions());
    return positions
      .map((p) => ({ symbol: String(p.symbol), qty: Number(p.qty) }))
      .sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw toBrokerError(err);
    }
  }
}

function toState(o: {
  id?: string;
  clientOrderId?: string;
  symbol?: string;
  side?: unknown;
  qty?: unknown;
  status?: unknown;
  filledQty?: unknown;
  filledAvgPrice?: unknown;
}): BrokerOrderState {
  const status = String(o.status);
  const known: BrokerOrderStatus[] = ['new', 'partially_filled', 'filled', 'canceled', 'rejected'];
  return {
    id: String(o.id),
    client_order_id: String(o.clientOrderId),
    symbol: String(o.symbol),
    side: o.side === 'sell' ? 'sell' : 'buy',
    qty: Number(o.qty),
    // Alpaca has more states (accepted, pending_new, ...): the others are all "not yet filled".
    // A day order that did not fill by the close expires: final, as a cancelled one is.
    status:
      status === 'expired' ? 'canceled' : (known as string[]).includes(status) ? (status as BrokerOrderStatus) : 'new',
    filled_qty: Number(o.filledQty ?? 0),
    filled_avg_price: o.filledAvgPrice === undefined || o.filledAvgPrice === null ? null : Number(o.filledAvgPrice),
  };
}

/** The SDK's typed errors as what the router can do about them. Messages carry the status, never a credential. */
export function toBrokerError(err: unknown): BrokerError {
  if (err instanceof errors.FetchError) {
    const cause = err.cause as { code?: string; name?: string; cause?: { code?: string } } | undefined;
    return new BrokerError(`network: ${cause?.code ?? cause?.cause?.code ?? cause?.name ?? 'error'}`, 'timeout');
  }
  if (err instanceof errors.RateLimitError)
    return new BrokerError(`429 rate limited`, 'rate_limited', err.retryAfterMs);
  if (err instanceof errors.ApiError) {
    const message = `${err.status} ${err.message}`;
    if (err.status === 422 && /client_order_id must be unique/.test(err.message))
      return new BrokerError(message, 'duplicate', undefined, err.status);
    if (err.status >= 500) return new BrokerError(message, 'server', undefined, err.status);
    return new BrokerError(message, 'rejected', undefined, err.status);
  }
  return new BrokerError(err instanceof Error ? err.message : String(err), 'rejected');
}
