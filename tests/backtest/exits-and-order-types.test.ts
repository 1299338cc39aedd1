import { describe, expect, it } from 'vitest';
import { accountSchema } from '../../src/backtest/account-config.js';
import { backtestEvents } from '../../src/backtest/event-driven.js';
import { eventStrategyOf } from '../../src/backtest/strategy-events.js';
import { costModelSchema } from '../../src/costs/cost-model.js';
import { atr } from '../../src/features/indicators.js';
import type { StrategyContext } from '../../src/strategy/define-strategy.js';
import { eventDrivenStrategy, ohlcBars } from '../helpers/probe-strategy.js';

/** Runs an event-driven strategy whose onBar is given, on the event-driven engine (fills on the next bar's open). */
function run(
  data: ReturnType<typeof ohlcBars>,
  onBar: (ctx: StrategyContext) => void,
  costs: unknown = {},
  account: unknown = {},
) {
  const strategy = eventDrivenStrategy('probe', onBar);
  const model = costModelSchema.parse({ execution: { delay_bars: 1, price: 'open' }, ...(costs as object) });
  return backtestEvents(data, eventStrategyOf(strategy, data, 2), model, accountSchema.parse(account));
}

const flat: [number, number, number, number] = [100, 101, 99, 100];

describe('limit and stop orders on the event-driven engine', () => {
  it('a buy limit waits for the price to come down, fills at the limit with no slippage past it, and at a better open', () => {
    const data = ohlcBars([flat, [99, 100, 97, 98], [97, 98, 94, 96], flat]);
    const result = run(
      data,
      (ctx) => {
        if (ctx.t === 0) ctx.order('XYZ', 10, undefined, { limit: 95, good_for_bars: 3 });
      },
      { slippage: { fixed_bps: 50 }, fees: { per_share: 0.01 } },
    );
    expect(result.trades).toHaveLength(1);
    expect(result.trades[0]).toMatchObject({ date: data.dates[2], shares: 10, price: 95, fee: 0.1, reason: 'order' });
    expect(result.orders[0]).toMatchObject({ kind: 'limit', status: 'filled', filled: 10 });

    const gap = ohlcBars([flat, [99, 100, 97, 98], [93, 94, 92, 93], flat]);
    const better = run(gap, (ctx) => {
      if (ctx.t === 0) ctx.order('XYZ', 10, undefined, { limit: 95, good_for_bars: 3 });
    });
    expect(better.trades[0]).toMatchObject({ date: gap.dates[2], price: 93 });
  });

  it('an order its bars never reach is cancelled when its life ends, with no fill', () => {
    const data = ohlcBars([flat, flat, [96, 97, 94, 95], flat]);
    const result = run(data, (ctx) => {
      if (ctx.t === 0) ctx.order('XYZ', 10, undefined, { limit: 95 }); // a day order: bar 1 only
    });
    expect(result.trades).toHaveLength(0);
    expect(result.orders).toEqual([expect.objectContaining({ kind: 'limit', status: 'cancelled', filled: 0 })]);
  });

  it('stops trigger once the market trades through them: a buy stop at the level (plus slippage) or a gap’s open, a sell stop likewise', () => {
    const up = ohlcBars([flat, [101, 106, 100, 105], flat]);
    const buy = run(
      up,
      (ctx) => {
        if (ctx.t === 0) ctx.order('XYZ', 10, undefined, { stop: 105 });
      },
      { slippage: { fixed_bps: 10 } },
    );
    expect(buy.trades[0]!.price).toBeCloseTo(105 * 1.001, 12);
    expect(buy.orders[0]!.kind).toBe('stop');
    const gapUp = ohlcBars([flat, [107, 108, 106, 107], flat]);
    expect(
      run(gapUp, (ctx) => {
        if (ctx.t === 0) ctx.order('XYZ', 10, undefined, { stop: 105 });
      }).trades[0]!.price,
    ).toBe(107);

    // Long 10 from bar 1, then a sell stop at 95 that bar 3 trades through, and a sell limit at 110 that nothing reaches.
    const down = ohlcBars([flat, flat, flat, [98, 99, 94, 95], flat]);
    const sell = run(down, (ctx) => {
      if (ctx.t === 0) ctx.order('XYZ', 10);
      if (ctx.t === 2) {
        ctx.order('XYZ', -10, undefined, { stop: 95 });
        ctx.order('XYZ', -10, undefined, { limit: 110 });
      }
    });
    expect(sell.trades.map((t) => [t.date, t.shares, t.price])).toEqual([
      [down.dates[1], 10, 100],
      [down.dates[3], -10, 95],
    ]);
    expect(sell.orders.map((o) => `${o.kind} ${o.status}`)).toEqual([
      'shares filled',
      'stop filled',
      'limit cancelled',
    ]);
  });

  it('a limit order partly filled under the participation cap carries the rest while its price holds', () => {
    const data = ohlcBars([flat, [96, 97, 94, 95], [95, 96, 93, 94], [99, 100, 98, 99]]);
    const result = run(
      data,
      (ctx) => {
        if (ctx.t === 0) ctx.order('XYZ', 300, undefined, { limit: 95, good_for_bars: 3 });
      },
      { slippage: { volume_share: { price_impact: 0.1, participation_cap: 0.2 } } },
      { unfilled: 'carry' },
    );
    // 200 of the 1,000 traded on each of bars 1 and 2 (the cap), none on bar 3 (above the limit).
    expect(result.trades.map((t) => [t.date, t.shares, t.price])).toEqual([
      [data.dates[1], 200, 95],
      [data.dates[2], 100, 95],
    ]);
    expect(result.orders[0]).toMatchObject({ status: 'filled', filled: 300 });
  });

  it('refuses a price that is not a positive number, or both a limit and a stop, naming the strategy and the bar', () => {
    const data = ohlcBars([flat, flat]);
    expect(() => run(data, (ctx) => ctx.order('XYZ', 1, undefined, { limit: -1 }))).toThrow(
      /strategy 'probe' \(strategies\/probe.ts\) on 2021-01-04: the limit price for XYZ must be a positive number, got -1/,
    );
    expect(() => run(data, (ctx) => ctx.order('XYZ', 1, undefined, { limit: 90, stop: 95 }))).toThrow(
      /gives both a limit and a stop: give one/,
    );
    expect(() => run(data, (ctx) => ctx.order('XYZ', 1, undefined, { stop: 90, good_for_bars: 0.5 }))).toThrow(
      /good_for_bars for XYZ must be a whole number of bars >= 1/,
    );
  });
});

describe('exits on the event-driven engine', () => {
  it('a trailing stop trails the best close before the bar, and fires at its level', () => {
    const data = ohlcBars([flat, flat, [110, 111, 109, 110], [119, 121, 118, 120], [115, 116, 107, 108], flat]);
    const result = run(data, (ctx) => {
      if (ctx.t === 0) ctx.order('XYZ', 10, { trailing_stop: 0.1 });
    });
    // Filled at 100 on bar 1; the best close before bar 4 is 120: the level there is 108, and bar 4's low of 107 reaches it.
    expect(result.trades.map((t) => [t.date, t.shares, t.price, t.reason])).toEqual([
      [data.dates[1], 10, 100, 'order'],
      [data.dates[4], -10, 108, 'trailing_stop'],
    ]);
  });

  it('the tighter of a fixed stop and a trailing stop binds, and says which it was', () => {
    const data = ohlcBars([flat, flat, [99, 100, 94, 95], flat]);
    const result = run(data, (ctx) => {
      if (ctx.t === 0) ctx.order('XYZ', 10, { trailing_stop: 0.2, stop_loss: 0.05 });
    });
    expect(result.trades[1]).toMatchObject({ price: 95, reason: 'stop_loss' });
  });

  it('a time exit closes the position max_bars after its fill, at that bar’s open', () => {
    const data = ohlcBars([flat, flat, [102, 103, 101, 102], [103, 104, 102, 103], [104, 105, 103, 104], flat]);
    const result = run(data, (ctx) => {
      if (ctx.t === 0) ctx.order('XYZ', 10, { max_bars: 3 });
    });
    expect(result.trades.map((t) => [t.date, t.shares, t.price, t.reason])).toEqual([
      [data.dates[1], 10, 100, 'order'],
      [data.dates[4], -10, 104, 'time_exit'],
    ]);
  });

  it('an ATR stop sits stop_atr ATRs (as of the decision) below the fill', () => {
    const rows: [number, number, number, number][] = [
      [100, 102, 98, 100],
      [100, 103, 99, 101],
      [101, 104, 100, 102],
      [102, 105, 101, 103],
      [103, 104, 102, 103],
      [103, 104, 90, 91],
      flat,
    ];
    const data = ohlcBars(rows);
    const a = atr(
      rows.map((r) => r[1]),
      rows.map((r) => r[2]),
      rows.map((r) => r[3]),
      3,
    );
    const result = run(data, (ctx) => {
      if (ctx.t === 3) ctx.order('XYZ', 10, { stop_atr: 2, atr_window: 3 });
    });
    // Decided on bar 3's close, filled at bar 4's open (103): the stop is 103 - 2 ATR(3) of bar 3.
    expect(result.trades[1]).toMatchObject({ date: data.dates[5], reason: 'stop_loss' });
    expect(result.trades[1]!.price).toBeCloseTo(103 - 2 * a[3]!, 12);
  });
});
