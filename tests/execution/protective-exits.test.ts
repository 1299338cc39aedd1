import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountSchema } from '../../src/backtest/account-config.js';
import { backtestEvents } from '../../src/backtest/event-driven.js';
import type { MarketData } from '../../src/backtest/market-data.js';
import { eventStrategyOf } from '../../src/backtest/strategy-events.js';
import { costModelSchema } from '../../src/costs/cost-model.js';
import { startAlpacaTradingServer } from '../../src/devservers/alpaca-trading-server.js';
import { AlpacaBroker } from '../../src/execution/alpaca-broker.js';
import type { OrderExits } from '../../src/strategy/define-strategy.js';
import type { LoadedStrategy } from '../../src/strategy/loaded-strategy.js';
import { eventDrivenStrategy, ohlcBars, replayOn } from '../helpers/probe-strategy.js';

const costs = costModelSchema.parse({ slippage: { fixed_bps: 10 }, execution: { price: 'open' } });
const flat: [number, number, number, number] = [100, 101, 99, 100];

/** Buys 10 shares on the first close with these exits, and leaves the rest to them. */
const buyWith = (exits: OrderExits) =>
  eventDrivenStrategy('protected', (ctx) => {
    if (ctx.t === 0) ctx.order('XYZ', 10, exits);
  });

const session = async (strategy: LoadedStrategy, data: MarketData) => (await replayOn(strategy, data, costs)).session;

describe('exits on the trading path: a reduce-only day order protecting the position from the bar after its fill', () => {
  it('a stop-loss: a stop order at 95% of the fill each close, filled when a bar trades through it', async () => {
    const data = ohlcBars([flat, flat, [99, 100, 97, 98], [97, 98, 94, 95], flat]);
    const s = await session(buyWith({ stop_loss: 0.05 }), data);
    const entry = s.fills[0]!;
    expect(entry).toMatchObject({ date: data.dates[1], shares: 10 });
    const exits = s.intents.filter((i) => i.reduce_only);
    expect(exits.map((i) => [i.decided_at, i.type, i.stop_price, i.quantity])).toEqual([
      [data.dates[1], 'stop', Math.round(entry.price * 0.95 * 100) / 100, 10],
      [data.dates[2], 'stop', Math.round(entry.price * 0.95 * 100) / 100, 10],
    ]);
    expect(s.fills[1]).toMatchObject({ date: data.dates[3], shares: -10 });
    expect(s.fills[1]!.price).toBeCloseTo(exits[1]!.stop_price! * (1 - 0.001), 10);
    // Flat after the stop: nothing more to protect.
    expect(s.intents.filter((i) => i.decided_at >= data.dates[3]!)).toEqual([]);
  });

  it('a stop and a take-profit go out as one OCO: the take-profit fills at its limit, the stop when a bar reaches both', async () => {
    const up = ohlcBars([flat, flat, [104, 112, 103, 111], flat]);
    const s = await session(buyWith({ stop_loss: 0.05, take_profit: 0.1 }), up);
    const oco = s.intents.find((i) => i.order_class === 'oco')!;
    const entry = s.fills[0]!.price;
    expect(oco).toMatchObject({ type: 'limit', side: 'sell', reduce_only: true });
    expect(oco.limit_price).toBe(Math.round(entry * 1.1 * 100) / 100);
    expect(s.fills[1]).toMatchObject({ date: up.dates[2], shares: -10, price: oco.limit_price });

    const both = ohlcBars([flat, flat, [100, 115, 90, 100], flat]);
    const stopped = await session(buyWith({ stop_loss: 0.05, take_profit: 0.1 }), both);
    const level = stopped.intents.find((i) => i.order_class === 'oco')!.stop_price!;
    expect(stopped.fills[1]!.price).toBeCloseTo(level * (1 - 0.001), 10);
  });

  it('a trailing stop rises with the best close; a time exit sells at the open max_bars after the fill', async () => {
    const rising = ohlcBars([flat, flat, [104, 106, 103, 105], [109, 111, 108, 110], [108, 109, 98, 99], flat]);
    const trailed = await session(buyWith({ trailing_stop: 0.1 }), rising);
    // From the fill (100.10 with slippage), then the closes of 105 and 110: 90% of each, in cents.
    expect(trailed.intents.filter((i) => i.reduce_only).map((i) => i.stop_price)).toEqual([90.09, 94.5, 99]);
    expect(trailed.fills[1]).toMatchObject({ date: rising.dates[4], shares: -10 });

    const timed = await session(
      buyWith({ max_bars: 3 }),
      ohlcBars([flat, flat, flat, flat, [103, 104, 102, 103], flat]),
    );
    const exit = timed.intents.find((i) => i.reduce_only)!;
    expect(exit.type).toBeUndefined(); // a market order
    expect(exit.reason).toMatch(/time exit after 3 bars/);
    expect(timed.fills[1]!.price).toBeCloseTo(103 * (1 - 0.001), 10);
  });

  it('exits the same bar at the same price as the event-driven engine when the stop is hit after the fill bar', async () => {
    const data = ohlcBars([flat, flat, [99, 100, 97, 98], [96, 97, 93, 94], flat]);
    // The engine's stop sits at 95% of the fill to the last bit; the trading path's, in whole cents: a fill at 100 makes them equal.
    const exact = costModelSchema.parse({ execution: { price: 'open' } });
    const engine = backtestEvents(
      data,
      eventStrategyOf(buyWith({ stop_loss: 0.05 }), data, 1),
      exact,
      accountSchema.parse({}),
    );
    const path = await replayOn(buyWith({ stop_loss: 0.05 }), data, exact, 1_000_000);
    expect(path.session.fills.map((f) => [f.date, f.shares, f.price])).toEqual(
      engine.trades.map((t) => [t.date, t.shares, t.price]),
    );
    expect(engine.trades[1]!.reason).toBe('stop_loss');
  });
});

describe('an OCO exit through the Alpaca adapter', () => {
  let server: Awaited<ReturnType<typeof startAlpacaTradingServer>>;
  beforeAll(async () => {
    server = await startAlpacaTradingServer({
      keyId: 'PKOCO0123456789',
      secretKey: 'sk-oco-0123',
      cash: 100_000,
      prices: { XYZ: 100 },
    });
  });
  afterAll(async () => server?.close());

  it('is sent as Alpaca’s oco order class with its take-profit and stop-loss legs', async () => {
    const broker = new AlpacaBroker({
      keyId: 'PKOCO0123456789',
      secretKey: 'sk-oco-0123',
      paper: true,
      baseUrl: server.url,
    });
    server.adjustPosition('XYZ', 10);
    const order = await broker.submitOrder({
      client_order_id: 'exit-1',
      symbol: 'XYZ',
      side: 'sell',
      qty: 10,
      type: 'limit',
      order_class: 'oco',
      limit_price: 110,
      stop_price: 95,
      reduce_only: true,
    });
    expect(order.status).toBe('new'); // at 100, neither leg is reached
    expect(server.orders()[0]).toMatchObject({ order_class: 'oco', type: 'limit', limit_price: 110, stop_price: 95 });
  });
});
