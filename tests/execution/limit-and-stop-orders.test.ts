import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costModelSchema } from '../../src/costs/cost-model.js';
import { startAlpacaTradingServer } from '../../src/devservers/alpaca-trading-server.js';
import { AlpacaBroker } from '../../src/execution/alpaca-broker.js';
import { SimulatedExchange } from '../../src/execution/simulated-exchange.js';
import { eventDrivenStrategy, ohlcBars, replayOn } from '../helpers/probe-strategy.js';

const costs = costModelSchema.parse({ slippage: { fixed_bps: 20 }, execution: { price: 'open' } });

describe('limit and stop day orders on the simulated exchange', () => {
  it('fill on the next bar only at or through their price: a limit at its level with no slippage, a gap at the open', async () => {
    const data = ohlcBars([
      [100, 101, 99, 100],
      [99, 100, 94, 96],
      [100, 101, 99, 100],
    ]);
    const exchange = new SimulatedExchange(data, costs, 100_000);
    await exchange.submitOrder({
      client_order_id: 'a',
      symbol: 'XYZ',
      side: 'buy',
      qty: 10,
      type: 'limit',
      limit_price: 95,
    });
    await exchange.submitOrder({
      client_order_id: 'b',
      symbol: 'XYZ',
      side: 'buy',
      qty: 10,
      type: 'stop',
      stop_price: 105,
    });
    await exchange.submitOrder({
      client_order_id: 'c',
      symbol: 'XYZ',
      side: 'sell',
      qty: 5,
      type: 'stop',
      stop_price: 99.5,
    });
    const fills = exchange.advance();
    expect(fills.map((f) => [f.client_order_id, f.shares, f.price])).toEqual([
      ['a', 10, 95],
      // The sell stop: the bar opened at 99, through 99.5: filled at the open, less slippage.
      ['c', -5, 99 * (1 - 0.002)],
    ]);
    expect((await exchange.getOrderByClientId('a'))!.status).toBe('filled');
    // The buy stop's day passed without the price reaching 105: it expired unfilled.
    expect((await exchange.getOrderByClientId('b'))!).toMatchObject({ status: 'canceled', filled_qty: 0 });
  });
});

describe('a priced order on close-only bars', () => {
  it('is read at the close, the one price such a bar has', async () => {
    const data = ohlcBars([
      [Number.NaN, Number.NaN, Number.NaN, 100],
      [Number.NaN, Number.NaN, Number.NaN, 94],
      [Number.NaN, Number.NaN, Number.NaN, 96],
    ]);
    const closeOnly = { ...data, high: undefined, low: undefined };
    const exchange = new SimulatedExchange(closeOnly, costModelSchema.parse({ execution: { price: 'close' } }), 10_000);
    await exchange.submitOrder({
      client_order_id: 'a',
      symbol: 'XYZ',
      side: 'buy',
      qty: 1,
      type: 'limit',
      limit_price: 95,
    });
    expect(exchange.advance().map((f) => [f.shares, f.price])).toEqual([[1, 94]]);
  });
});

describe('a strategy’s limit and stop orders on the trading path', () => {
  const data = ohlcBars([
    [100, 101, 99, 100],
    [100, 101, 97, 98],
    [98, 99, 95, 96],
    [96, 97, 95.5, 96],
    [93, 94, 92, 93],
    [95, 96, 94, 95],
  ]);
  // Each close: a day order to buy 10 shares 2% below it.
  const dipBuyer = eventDrivenStrategy('dip_limits', (ctx) =>
    ctx.order('XYZ', 10, undefined, { limit: Math.round(ctx.close('XYZ') * 0.98 * 100) / 100 }),
  );

  it('become intents of their type and price, and fill only when the next bar trades through the limit', async () => {
    const { session } = await replayOn(dipBuyer, data, costs);
    expect(session.final_state).toBe('ACTIVE');
    expect(session.intents.map((i) => [i.decided_at, i.type, i.limit_price])).toEqual([
      [data.dates[0], 'limit', 98],
      [data.dates[1], 'limit', 96.04],
      [data.dates[2], 'limit', 94.08],
      [data.dates[3], 'limit', 94.08],
      [data.dates[4], 'limit', 91.14],
    ]);
    // 98 is reached on bar 1 (low 97), 96.04 on bar 2 (low 95), 94.08 at bar 4's open of 93 (better); 91.14 never.
    expect(session.fills.map((f) => [f.date, f.shares, f.price])).toEqual([
      [data.dates[1], 10, 98],
      [data.dates[2], 10, 96.04],
      [data.dates[4], 10, 93],
    ]);
    expect(session.orders.every((o) => o.type === 'limit')).toBe(true);
  });

  it('a stop order sells once the price comes down through it', async () => {
    const stopper = eventDrivenStrategy('stopper', (ctx) => {
      if (ctx.t === 0) ctx.order('XYZ', 10);
      else if (ctx.position('XYZ') > 0) ctx.order('XYZ', -10, undefined, { stop: 96 });
    });
    const { session } = await replayOn(stopper, data, costs);
    // Bought at bar 1's open; the stop placed on bar 1's close is reached on bar 2 (low 95), at 96 less slippage.
    expect(session.fills.map((f) => [f.date, f.shares])).toEqual([
      [data.dates[1], 10],
      [data.dates[2], -10],
    ]);
    expect(session.fills[1]!.price).toBeCloseTo(96 * (1 - 0.002), 12);
  });
});

describe('a limit or stop order good for several bars on the trading path', () => {
  const flat: [number, number, number, number] = [100, 101, 99, 100];
  const once = (price: { limit: number; good_for_bars: number }, shares = 10) => {
    const seen: number[] = [];
    const strategy = eventDrivenStrategy('lasting', (ctx) => {
      seen.push(ctx.openOrders('XYZ'));
      if (ctx.t === 0) ctx.order('XYZ', shares, undefined, price);
    });
    return { strategy, seen };
  };

  it('is re-sent each close for what is left of it and fills where the event-driven engine fills it', async () => {
    // The event-driven engine's own test: a limit at 95 good for 3 bars fills on bar 2 at 95.
    const data = ohlcBars([flat, [99, 100, 97, 98], [97, 98, 94, 96], flat, flat]);
    const { strategy, seen } = once({ limit: 95, good_for_bars: 3 });
    const { session } = await replayOn(strategy, data, costs);
    expect(session.intents.map((i) => [i.decided_at, i.type, i.limit_price, i.quantity])).toEqual([
      [data.dates[0], 'limit', 95, 10],
      [data.dates[1], 'limit', 95, 10],
    ]);
    expect(session.intents[1]!.reason).toMatch(/working since 2021-01-04, what is left of it/);
    expect(session.fills.map((f) => [f.date, f.shares, f.price])).toEqual([[data.dates[2], 10, 95]]);
    // One order working at bar 1's close, none once it filled on bar 2.
    expect(seen).toEqual([0, 1, 0, 0]);
  });

  it('that its bars never reach stops being sent when its life ends', async () => {
    const data = ohlcBars([flat, flat, flat, flat, [96, 97, 94, 95], flat]);
    const { strategy } = once({ limit: 95, good_for_bars: 3 });
    const { session } = await replayOn(strategy, data, costs);
    expect(session.intents.map((i) => i.decided_at)).toEqual(data.dates.slice(0, 3));
    expect(session.fills).toEqual([]);
  });

  it('a partial fill leaves the rest working', async () => {
    // Volume of 1,000 a bar and a 10% participation cap: 100 shares a bar.
    const capped = costModelSchema.parse({
      execution: { price: 'open' },
      slippage: { volume_share: { price_impact: 0, participation_cap: 0.1 } },
    });
    const data = ohlcBars([flat, [96, 97, 94, 95], [96, 97, 94, 95], flat]);
    const { strategy } = once({ limit: 96, good_for_bars: 3 }, 150);
    const { session } = await replayOn(strategy, data, capped);
    expect(session.intents.map((i) => i.quantity)).toEqual([150, 50]);
    expect(session.fills.map((f) => f.shares)).toEqual([100, 50]);
  });
});

describe('limit and stop orders through the Alpaca adapter', () => {
  let server: Awaited<ReturnType<typeof startAlpacaTradingServer>>;
  let broker: AlpacaBroker;
  beforeAll(async () => {
    server = await startAlpacaTradingServer({
      keyId: 'PKLIMITS0123456789',
      secretKey: 'sk-limits-0123',
      cash: 100_000,
      prices: { XYZ: 100 },
    });
    broker = new AlpacaBroker({
      keyId: 'PKLIMITS0123456789',
      secretKey: 'sk-limits-0123',
      paper: true,
      baseUrl: server.url,
    });
  });
  afterAll(async () => server?.close());

  it('sends the type and price Alpaca names them by, and a price the market has not reached leaves the order working', async () => {
    const marketable = await broker.submitOrder({
      client_order_id: 'l1',
      symbol: 'XYZ',
      side: 'buy',
      qty: 5,
      type: 'limit',
      limit_price: 101,
    });
    expect(marketable).toMatchObject({ status: 'filled', filled_qty: 5, filled_avg_price: 100 });
    const resting = await broker.submitOrder({
      client_order_id: 'l2',
      symbol: 'XYZ',
      side: 'buy',
      qty: 5,
      type: 'limit',
      limit_price: 95,
    });
    expect(resting.status).toBe('new');
    const stop = await broker.submitOrder({
      client_order_id: 's1',
      symbol: 'XYZ',
      side: 'sell',
      qty: 5,
      type: 'stop',
      stop_price: 99,
    });
    expect(stop.status).toBe('new');
    const byId = new Map(server.orders().map((o) => [o.client_order_id, o]));
    expect(byId.get('l2')).toMatchObject({ type: 'limit', limit_price: 95, stop_price: null });
    expect(byId.get('s1')).toMatchObject({ type: 'stop', stop_price: 99, limit_price: null });
    expect(await broker.getPositions()).toEqual([{ symbol: 'XYZ', qty: 5 }]);
  });
});
