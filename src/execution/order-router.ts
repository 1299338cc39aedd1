import { BrokerError, type Broker, type BrokerOrderRequest, type BrokerOrderState } from './broker.js';

export interface OrderRouterOptions {
  /** Attempts per order after the first. */
  maxRetries: number;
  /** Backoff before retry k (0-based): baseDelayMs x 2^k, or the broker's Retry-After if longer. */
  baseDelayMs: number;
  /** Requests per rolling minute, kept below the broker's own limit (Alpaca allows 200). */
  maxRequestsPerMinute: number;
  /** Consecutive failed orders after which onBrokerFailures fires (the kill switch). */
  maxConsecutiveFailures: number;
  onBrokerFailures?: (failures: number, last: Error) => void;
  /** Injected so tests run on a fake clock. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface RoutedOrder {
  order: BrokerOrderState;
  /** How many times the order was sent (1 unless a retry was needed). */
  submissions: number;
  /** True when a timed-out or duplicate submission turned out to have reached the broker. */
  recovered: boolean;
}

export interface ReconciliationDifference {
  symbol: string;
  ledger: number;
  broker: number;
}

/**
 * Sends orders to a broker so that a retry can never double one: every order carries a client
 * order id derived from its run and intent; when a submission times out, the router asks the
 * broker for that id before sending it again; a duplicate-id answer means it is already there.
 * Transient errors are retried with exponential backoff; requests are spaced to stay under a
 * rate limit; consecutive failed orders fire the kill switch callback.
 */
export class OrderRouter {
  private readonly sent: number[] = [];
  private failures = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly broker: Broker,
    private readonly options: OrderRouterOptions,
  ) {
    this.now = options.now ?? (() => Date.now());
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Waits until one more request fits in the rolling minute, then counts it. */
  private async throttle(): Promise<void> {
    for (;;) {
      const now = this.now();
      while (this.sent.length > 0 && this.sent[0]! <= now - 60_000) this.sent.shift();
      if (this.sent.length < this.options.maxRequestsPerMinute) {
        this.sent.push(now);
        return;
      }
      await this.sleep(this.sent[0]! + 60_000 - now);
    }
  }

  private async call<T>(f: () => Promise<T>): Promise<T> {
    await this.throttle();
    return f();
  }

  async submit(request: BrokerOrderRequest): Promise<RoutedOrder> {
    let submissions = 0;
    let last: Error = new Error('not sent');
    for (let attempt = 0; attempt <= this.options.maxRetries; attempt++) {
      if (attempt > 0) {
        const hinted = last instanceof BrokerError ? (last.retryAfterMs ?? 0) : 0;
        await this.sleep(Math.max(hinted, this.options.baseDelayMs * 2 ** (attempt - 1)));
        // After a timeout the order may be at the broker already: look before sending again.
        if (last instanceof BrokerError && last.kind === 'timeout') {
          const found = await this.lookup(request.client_order_id);
          if (found) return this.succeeded({ order: found, submissions, recovered: true });
        }
      }
      try {
        submissions++;
        const order = await this.call(() => this.broker.submitOrder(request));
        return this.succeeded({ order, submissions, recovered: false });
      } catch (err) {
        last = err as Error;
        if (err instanceof BrokerError && err.kind === 'duplicate') {
          const found = await this.lookup(request.client_order_id);
          if (found) return this.succeeded({ order: found, submissions, recovered: true });
        }
        if (!(err instanceof BrokerError && err.transient)) break;
      }
    }
    this.failures++;
    if (this.failures >= this.options.maxConsecutiveFailures) this.options.onBrokerFailures?.(this.failures, last);
    throw new Error(
      `order ${request.client_order_id} (${request.side} ${request.qty} ${request.symbol}) failed after ${submissions} submission(s): ${last.message}`,
    );
  }

  /** Ledger positions against the broker's: every symbol where they differ. */
  async reconcile(ledger: ReadonlyMap<string, number>): Promise<ReconciliationDifference[]> {
    const positions = await this.call(() => this.broker.getPositions());
    const broker = new Map(positions.map((p) => [p.symbol, p.qty]));
    const symbols = [...new Set([...ledger.keys(), ...broker.keys()])].sort();
    return symbols
      .map((symbol) => ({ symbol, ledger: ledger.get(symbol) ?? 0, broker: broker.get(symbol) ?? 0 }))
      .filter((d) => Math.abs(d.ledger - d.broker) > 1e-9);
  }

  private async lookup(clientOrderId: string): Promise<BrokerOrderState | null> {
    try {
      return await this.call(() => this.broker.getOrderByClientId(clientOrderId));
    } catch {
      return null; // the lookup failing is no proof the order exists: the caller retries the submission
    }
  }

  private succeeded(r: RoutedOrder): RoutedOrder {
    this.failures = 0;
    return r;
  }
}
