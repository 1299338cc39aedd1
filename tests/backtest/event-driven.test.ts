import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accountSchema } from '../../src/backtest/account-config.js';
import { backtestEvents, targetWeightStrategy, type EventStrategy } from '../../src/backtest/event-driven.js';
import type { MarketData } from '../../src/backtest/market-data.js';
import { backtestTargetWeights } from '../../src/backtest/target-weights.js';
import { costModelSchema } from '../../src/costs/cost-model.js';
import { performanceMetrics } from '../../src/evaluation/performance-metrics.js';

const free = costModelSchema.parse({});
const f64 = (xs: number[]) => Float64Array.from(xs);
const account = (o: Record<string, unknown> = {}) => accountSchema.parse({ initial_cash: 10_000, ...o });

function bars(o: { open: number[]; close: number[]; high?: number[]; low?: number[]; volume?: number }): MarketData {
  const T = o.close.length;
  const dates = Array.from({ length: T }, (_, t) => new Date(Date.UTC(2024, 0, 1 + t)).toISOString().slice(0, 10));
  return {
    dates,
    symbols: ['A'],
    open: [f64(o.open)],
    close: [f64(o.close)],
    volume: [new Float64Array(T).fill(o.volume ?? 1e9)],
    ...(o.high ? { high: [f64(o.high)] } : {}),
    ...(o.low ? { low: [f64(o.low)] } : {}),
  };
}

/** A strategy that places one order on bar 0's close. */
const once = (place: (o: Parameters<EventStrategy['onBar']>[1]) => void): EventStrategy => ({
  onBar(bar, orders) {
    if (bar.t === 0) place(orders);
  },
});

function seeded(seed: number) {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 4294967296;
}

function randomMarket(seed: number, S: number, T: number): { data: MarketData; weights: Float64Array[] } {
  const rand = seeded(seed);
  const open: Float64Array[] = [];
  const close: Float64Array[] = [];
  const volume: Float64Array[] = [];
  const weights: Float64Array[] = [];
  for (let s = 0; s < S; s++) {
    const o = new Float64Array(T);
    const c = new Float64Array(T);
    const v = new Float64Array(T);
    const w = new Float64Array(T);
    let p = 50 + 100 * rand();
    for (let t = 0; t < T; t++) {
      o[t] = p * (1 + (rand() - 0.5) * 0.02);
      p = o[t]! * (1 + (rand() - 0.5) * 0.04);
      c[t] = p;
      v[t] = 200 + 2000 * rand();
      w[t] = rand() < 0.3 ? Number.NaN : (rand() - 0.3) * 0.8;
      if (t > 0 && rand() < 0.05) o[t] = c[t] = v[t] = Number.NaN; // a session this symbol did not trade
    }
    open.push(o);
    close.push(c);
    volume.push(v);
    weights.push(w);
  }
  const dates = Array.from({ length: T }, (_, t) =>
    new Date(Date.UTC(2020, 0, 1 + t + 2 * Math.floor(t / 5))).toISOString().slice(0, 10),
  );
  return { data: { dates, symbols: Array.from({ length: S }, (_, s) => `S${s}`), open, close, volume }, weights };
}

describe('event-driven engine', () => {
  it("parity: configured to the vectorized engine's assumptions it gives the same equity curve (1e-9)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('open' as const, 'close' as const),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        (seed, S, price, delay, capped) => {
          const { data, weights } = randomMarket(seed, S, 120);
          const model = costModelSchema.parse({
            fees: { per_share: 0.005, bps: 1, min_per_order: 1 },
            slippage: {
              fixed_bps: 2,
              ...(capped ? { volume_share: { price_impact: 0.1, participation_cap: 0.05 } } : {}),
            },
            borrow: { annual_rate: 0.05 },
            execution: { delay_bars: delay, price },
          });
          const vectorized = backtestTargetWeights(data, weights, model, 1e5);
          const events = backtestEvents(
            data,
            targetWeightStrategy(weights),
            model,
            accountSchema.parse({ initial_cash: 1e5, max_leverage: 1e9, maintenance_margin: 0, unfilled: 'cancel' }),
          );
          for (let t = 0; t < data.dates.length; t++) {
            expect(Math.abs(events.equity[t]! - vectorized.equity[t]!)).toBeLessThanOrEqual(
              1e-9 * Math.abs(vectorized.equity[t]!),
            );
            expect(events.turnover[t]).toBeCloseTo(vectorized.turnover[t]!, 12);
          }
          expect(events.trades.length).toBe(vectorized.trades.length);
          expect(events.costs.fees).toBeCloseTo(vectorized.costs.fees, 9);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a stop-loss exits at its level inside the bar, and at the open when the bar gapped through it', () => {
    const inside = bars({
      open: [100, 100, 99, 99],
      close: [100, 99, 99, 99],
      high: [100, 101, 100, 100],
      low: [100, 97, 94, 98],
    });
    const r = backtestEvents(
      inside,
      once((o) => o.shares(0, 10, { stop_loss: 0.05 })),
      free,
      account(),
    );
    // Bought 10 at 100 on bar 1's open; bar 2's low 94 crosses the stop 95: sold at 95.
    expect(r.trades.map((x) => [x.date, x.shares, x.price, x.reason])).toEqual([
      ['2024-01-02', 10, 100, 'order'],
      ['2024-01-03', -10, 95, 'stop_loss'],
    ]);
    expect(r.equity[3]).toBeCloseTo(10_000 - 50, 9);

    const gap = bars({
      open: [100, 100, 90, 90],
      close: [100, 99, 91, 91],
      high: [100, 101, 92, 92],
      low: [100, 97, 89, 89],
    });
    const g = backtestEvents(
      gap,
      once((o) => o.shares(0, 10, { stop_loss: 0.05 })),
      free,
      account(),
    );
    expect(g.trades[1]).toMatchObject({ price: 90, reason: 'stop_loss' });
  });

  it('a take-profit exits at its level; with both levels inside one bar the stop is assumed first', () => {
    const up = bars({ open: [100, 100, 105], close: [100, 104, 108], high: [100, 105, 112], low: [100, 99, 104] });
    const r = backtestEvents(
      up,
      once((o) => o.shares(0, 10, { take_profit: 0.1, stop_loss: 0.05 })),
      free,
      account(),
    );
    expect(r.trades[1]).toMatchObject({ date: '2024-01-03', price: expect.closeTo(110, 9), reason: 'take_profit' });

    const wide = bars({ open: [100, 100, 100], close: [100, 100, 100], high: [100, 100, 111], low: [100, 100, 94] });
    const w = backtestEvents(
      wide,
      once((o) => o.shares(0, 10, { take_profit: 0.1, stop_loss: 0.05 })),
      free,
      account(),
    );
    expect(w.trades[1]).toMatchObject({ price: expect.closeTo(95, 9), reason: 'stop_loss' });

    // A short's levels mirror a long's: the stop is above the entry.
    const short = bars({ open: [100, 100, 100], close: [100, 100, 100], high: [100, 100, 104], low: [100, 100, 99] });
    const sh = backtestEvents(
      short,
      once((o) => o.shares(0, -10, { stop_loss: 0.03 })),
      free,
      account(),
    );
    expect(sh.trades[1]).toMatchObject({ shares: 10, price: expect.closeTo(103, 9), reason: 'stop_loss' });
  });

  it('partial fills under the participation cap carry their remainder to later bars, or cancel it', () => {
    const model = costModelSchema.parse({ slippage: { volume_share: { price_impact: 0, participation_cap: 0.1 } } });
    const thin = bars({ open: [10, 10, 10, 10, 10], close: [10, 10, 10, 10, 10], volume: 100 });
    const carry = backtestEvents(
      thin,
      once((o) => o.shares(0, 25)),
      model,
      account({ unfilled: 'carry' }),
    );
    expect(carry.trades.map((x) => x.shares)).toEqual([10, 10, 5]);
    expect(carry.orders).toEqual([expect.objectContaining({ shares: 25, filled: 25, status: 'filled' })]);
    const cancel = backtestEvents(
      thin,
      once((o) => o.shares(0, 25)),
      model,
      account({ unfilled: 'cancel' }),
    );
    expect(cancel.trades.map((x) => x.shares)).toEqual([10]);
    expect(cancel.orders[0]).toMatchObject({ filled: 10, status: 'partial' });
  });

  it('cash and margin: orders are held to the leverage limit, and a maintenance breach closes the account', () => {
    const flat = bars({ open: [100, 100, 100], close: [100, 100, 100] });
    const lev = backtestEvents(
      flat,
      once((o) => o.targetWeight(0, 3)),
      free,
      account({ max_leverage: 2 }),
    );
    expect(lev.positions[0]![1]).toBeCloseTo(200, 9); // 2 x 10,000 / 100, not 300
    expect(lev.grossExposure[1]).toBeCloseTo(2, 9);

    // Short 1.5x, then the price doubles: equity 10,000 - 15,000 = -5,000 under 25% of 30,000.
    const squeeze = bars({ open: [100, 100, 200, 210], close: [100, 100, 200, 210] });
    const m = backtestEvents(
      squeeze,
      once((o) => o.targetWeight(0, -1.5)),
      free,
      account(),
    );
    expect(m.trades.at(-1)).toMatchObject({ date: '2024-01-04', shares: 150, price: 210, reason: 'margin_call' });
    expect(m.positions[0]![3]).toBe(0);
    expect(m.orders.at(-1)).toMatchObject({ kind: 'exit', reason: 'margin_call', status: 'filled' });
  });

  it('strategies see no bar after their decision: asking for one throws', () => {
    const data = bars({ open: [1, 2, 3], close: [1, 2, 3] });
    const peeking: EventStrategy = { onBar: (bar) => void bar.close(0, -1) };
    expect(() => backtestEvents(data, peeking, free, account())).toThrow(/asked for a bar 1 ahead/);
  });

  it('a planted signal only visible with lookahead shows no edge', () => {
    const rand = seeded(11);
    const close = [100];
    for (let t = 1; t < 1500; t++) close.push(close[t - 1]! * (1 + (rand() - 0.5) * 0.04));
    const data = bars({ open: close, close });
    const peek = f64(close.map((c, t) => (t + 1 < close.length ? (close[t + 1]! > c ? 1 : -1) : 0)));
    const r = backtestEvents(
      data,
      targetWeightStrategy([peek]),
      free,
      account({ initial_cash: 1e6, maintenance_margin: 0 }),
    );
    expect(Math.abs(performanceMetrics([...r.equity], 252).sharpe)).toBeLessThan(1);
  });
});
