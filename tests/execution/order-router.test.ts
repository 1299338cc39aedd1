import { describe, expect, it } from 'vitest';
import {
  BrokerError,
  type Broker,
  type BrokerOrderRequest,
  type BrokerOrderState,
} from '../../src/execution/broker.js';
import { OrderRouter } from '../../src/execution/order-router.js';

/** A broker that enforces unique client order ids and misbehaves on a script. */
class ScriptedBroker implements Broker {
  readonly orders = new Map<string, BrokerOrderState>();
  submissions = 0;
  lookups = 0;
  constructor(
    private readonly script: (
      'ok' | 'timeout_after_accept' | 'timeout_before_accept' | 'rate_limited' | 'server' | 'rejected'
    )[] = [],
  ) {}

  async submitOrder(o: BrokerOrderRequest): Promise<BrokerOrderState> {
    this.submissions++;
    const step = this.script.shift() ?? 'ok';
    if (step === 'timeout_before_accept') throw new BrokerError('timed out', 'timeout');
    if (step === 'rate_limited') throw new BrokerError('429', 'rate_limited', 1500);
    if (step === 'server') throw new BrokerError('503', 'server');
    if (step === 'rejected') throw new BrokerError('insufficient buying power', 'rejected');
    if (this.orders.has(o.client_order_id)) throw new BrokerError('client_order_id must be unique', 'duplicate');
    const state: BrokerOrderState = {
      ...o,
      id: `ord-${this.orders.size}`,
      status: 'new',
      filled_qty: 0,
      filled_avg_price: null,
    };
    this.orders.set(o.client_order_id, state);
    if (step === 'timeout_after_accept') throw new BrokerError('timed out', 'timeout');
    return state;
  }

  async getOrderByClientId(id: string): Promise<BrokerOrderState | null> {
    this.lookups++;
    return this.orders.get(id) ?? null;
  }

  async cancelAllOrders(): Promise<void> {}

  async getPositions() {
    return [
      { symbol: 'AAA', qty: 10 },
      { symbol: 'BBB', qty: -5 },
    ];
  }
}

function router(broker: Broker, o: Partial<ConstructorParameters<typeof OrderRouter>[1]> = {}) {
  let clock = 0;
  const sleeps: number[] = [];
  const r = new OrderRouter(broker, {
    maxRetries: 3,
    baseDelayMs: 100,
    maxRequestsPerMinute: 190,
    maxConsecutiveFailures: 2,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    ...o,
  });
  return { r, sleeps, tick: (ms: number) => (clock += ms) };
}

const order = (id = 'c1'): BrokerOrderRequest => ({ client_order_id: id, symbol: 'AAA', side: 'buy', qty: 10 });

describe('order router', () => {
  it('a timeout after the broker accepted: the router finds the order by its client id instead of sending it twice', async () => {
    const broker = new ScriptedBroker(['timeout_after_accept']);
    const { r } = router(broker);
    const routed = await r.submit(order());
    expect(routed).toMatchObject({ recovered: true, submissions: 1, order: { id: 'ord-0' } });
    expect(broker.orders.size).toBe(1);
    expect(broker.submissions).toBe(1);
  });

  it('a timeout before the broker accepted: looked up, not found, sent again, placed once', async () => {
    const broker = new ScriptedBroker(['timeout_before_accept']);
    const { r } = router(broker);
    const routed = await r.submit(order());
    expect(routed).toMatchObject({ recovered: false, submissions: 2 });
    expect(broker.lookups).toBe(1);
    expect(broker.orders.size).toBe(1);
  });

  it('a duplicate client id answer means the order is there: it is returned, not doubled', async () => {
    const broker = new ScriptedBroker();
    const { r } = router(broker);
    await r.submit(order());
    const again = await r.submit(order());
    expect(again).toMatchObject({ recovered: true, order: { id: 'ord-0' } });
    expect(broker.orders.size).toBe(1);
  });

  it('retries rate limits and server errors with exponential backoff, honouring Retry-After', async () => {
    const broker = new ScriptedBroker(['rate_limited', 'server', 'ok']);
    const { r, sleeps } = router(broker);
    expect((await r.submit(order())).submissions).toBe(3);
    expect(sleeps).toEqual([1500, 200]); // max(Retry-After 1.5 s, 100 ms), then 100 x 2
  });

  it('a final rejection is not retried; consecutive failures fire the kill switch callback', async () => {
    const fired: number[] = [];
    const broker = new ScriptedBroker(['rejected', 'server', 'server', 'server', 'server']);
    const { r } = router(broker, { onBrokerFailures: (n) => fired.push(n) });
    await expect(r.submit(order('a'))).rejects.toThrow(/failed after 1 submission\(s\): insufficient buying power/);
    expect(fired).toEqual([]);
    await expect(r.submit(order('b'))).rejects.toThrow(/failed after 4 submission\(s\)/);
    expect(fired).toEqual([2]);
  });

  it('keeps under the rate limit: the request past it waits for the rolling minute', async () => {
    const broker = new ScriptedBroker();
    const { r, sleeps, tick } = router(broker, { maxRequestsPerMinute: 3 });
    for (const id of ['a', 'b', 'c']) {
      await r.submit(order(id));
      tick(1000);
    }
    await r.submit(order('d'));
    expect(sleeps).toEqual([57_000]); // the first request was at 0, it is now 3 s later
  });

  it('reconciles the ledger against broker positions, reporting every difference', async () => {
    const { r } = router(new ScriptedBroker());
    expect(
      await r.reconcile(
        new Map([
          ['AAA', 10],
          ['BBB', -5],
        ]),
      ),
    ).toEqual([]);
    expect(
      await r.reconcile(
        new Map([
          ['AAA', 12],
          ['CCC', 1],
        ]),
      ),
    ).toEqual([
      { symbol: 'AAA', ledger: 12, broker: 10 },
      { symbol: 'BBB', ledger: 0, broker: -5 },
      { symbol: 'CCC', ledger: 1, broker: 0 },
    ]);
  });
});
