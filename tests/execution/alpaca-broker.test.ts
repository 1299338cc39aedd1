import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAlpacaTradingServer } from '../../src/devservers/alpaca-trading-server.js';
import { AlpacaBroker } from '../../src/execution/alpaca-broker.js';
import { OrderRouter } from '../../src/execution/order-router.js';

const KEY = { keyId: 'PKTESTKEY123', secretKey: 'test-secret-do-not-log' };

describe('Alpaca broker adapter against a local Alpaca-compatible server', () => {
  let server: Awaited<ReturnType<typeof startAlpacaTradingServer>>;
  let broker: AlpacaBroker;
  const router = () =>
    new OrderRouter(broker, { maxRetries: 3, baseDelayMs: 10, maxRequestsPerMinute: 190, maxConsecutiveFailures: 3 });
  beforeEach(async () => {
    server = await startAlpacaTradingServer({ ...KEY, cash: 100_000, prices: { AAPL: 150, MSFT: 300 }, slowMs: 1500 });
    broker = new AlpacaBroker({ ...KEY, paper: true, baseUrl: server.url, timeoutMs: 500 });
  });
  afterEach(async () => server.close());

  it('submits a market order, finds it by client order id, reports positions and cancels open orders', async () => {
    const placed = await broker.submitOrder({ client_order_id: 'run1-a', symbol: 'AAPL', side: 'buy', qty: 10 });
    expect(placed).toMatchObject({
      client_order_id: 'run1-a',
      symbol: 'AAPL',
      side: 'buy',
      qty: 10,
      status: 'filled',
      filled_qty: 10,
      filled_avg_price: 150,
    });
    expect(await broker.getOrderByClientId('run1-a')).toMatchObject({ id: placed.id });
    expect(await broker.getOrderByClientId('never-sent')).toBeNull();
    expect(await broker.getPositions()).toEqual([{ symbol: 'AAPL', qty: 10 }]);
    await broker.cancelAllOrders();
  });

  it('a response lost after the order was accepted (slow, past the timeout) does not double it', async () => {
    server.script('slow_after_accept');
    const routed = await router().submit({ client_order_id: 'run1-b', symbol: 'MSFT', side: 'buy', qty: 5 });
    expect(routed).toMatchObject({ recovered: true, submissions: 1 });
    expect(server.orders().filter((o) => o.client_order_id === 'run1-b')).toHaveLength(1);
    expect(await broker.getPositions()).toEqual([{ symbol: 'MSFT', qty: 5 }]);
  });

  it('retries 5xx and 429; a duplicate client order id (422) resolves to the existing order; buying power (403) is final', async () => {
    server.script('server_error', 'rate_limited');
    const r = router();
    expect((await r.submit({ client_order_id: 'run1-c', symbol: 'AAPL', side: 'buy', qty: 1 })).submissions).toBe(3);
    const again = await r.submit({ client_order_id: 'run1-c', symbol: 'AAPL', side: 'buy', qty: 1 });
    expect(again.recovered).toBe(true);
    expect(server.orders()).toHaveLength(1);
    await expect(r.submit({ client_order_id: 'run1-d', symbol: 'AAPL', side: 'buy', qty: 10_000 })).rejects.toThrow(
      /403 .*insufficient buying power/,
    );
  });

  it('follows the order lifecycle new -> partially_filled -> filled', async () => {
    await server.close();
    server = await startAlpacaTradingServer({ ...KEY, cash: 100_000, prices: { AAPL: 150 }, fill: 'stepwise' });
    broker = new AlpacaBroker({ ...KEY, paper: true, baseUrl: server.url });
    expect((await broker.submitOrder({ client_order_id: 's1', symbol: 'AAPL', side: 'buy', qty: 10 })).status).toBe(
      'new',
    );
    expect(await broker.getOrderByClientId('s1')).toMatchObject({ status: 'partially_filled', filled_qty: 5 });
    expect(await broker.getOrderByClientId('s1')).toMatchObject({ status: 'filled', filled_qty: 10 });
  });

  it('bad credentials are a final error that does not echo the secret', async () => {
    const wrong = new AlpacaBroker({
      keyId: 'PKWRONG',
      secretKey: 'wrong-secret-value',
      paper: true,
      baseUrl: server.url,
    });
    const err = await wrong.getPositions().catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^401/);
    expect(JSON.stringify({ message: (err as Error).message, stack: (err as Error).stack })).not.toContain(
      'wrong-secret-value',
    );
  });
});
