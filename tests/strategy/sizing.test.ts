import { describe, expect, it } from 'vitest';
import { costModelSchema } from '../../src/costs/cost-model.js';
import { backtestTargetWeights } from '../../src/backtest/target-weights.js';
import { atr } from '../../src/features/indicators.js';
import { riskConfigSchema } from '../../src/execution/risk-config.js';
import { replayStrategy } from '../../src/execution/strategy-session.js';
import type { BarPanel } from '../../src/strategy/bar-panel.js';
import { kellyFractions, sizeDecisions, sizingSchema, type Sizing } from '../../src/strategy/sizing.js';
import { randomWalkBars } from '../helpers/random-bars.js';
import { shippedStrategy } from '../helpers/shipped-strategy.js';

const panel = randomWalkBars(21, 300, ['AAA', 'BBB']);
const T = panel.dates.length;
/** Long AAA and short BBB at 0.4 each on every bar from bar 5 (bars before: no decision). */
const decisions = [
  Float64Array.from({ length: T }, (_, t) => (t < 5 ? Number.NaN : 0.4)),
  Float64Array.from({ length: T }, (_, t) => (t < 5 ? Number.NaN : -0.4)),
];
const size = (sizing: unknown, maxLeverage = 10, d: readonly Float64Array[] = decisions, p: BarPanel = panel) =>
  sizeDecisions(p, d, sizingSchema.parse(sizing), maxLeverage);

/** The panel with every close (and open, high, low) after bar `cut` scaled by k. */
function withFuture(p: BarPanel, cut: number, k: number): BarPanel {
  const future = (xs: Float64Array) => Float64Array.from(xs, (v, t) => (t > cut ? v * k : v));
  return {
    ...p,
    open: p.open.map(future),
    close: p.close.map(future),
    ...(p.high ? { high: p.high.map(future) } : {}),
    ...(p.low ? { low: p.low.map(future) } : {}),
  };
}

describe('sizing a vectorized strategy', () => {
  it('target_weights leaves the weights as they are', () => {
    const r = size({ kind: 'target_weights' });
    expect(r.unit).toBe('weight');
    expect(r.values).toEqual(decisions);
  });

  it('fixed_notional: the signal’s side, a fixed amount of currency', () => {
    const r = size({ kind: 'fixed_notional', notional: 25_000 });
    expect(r.unit).toBe('notional');
    expect(r.values[0]![10]).toBe(25_000);
    expect(r.values[1]![10]).toBe(-25_000);
    expect(r.values[0]![2]).toBeNaN();
  });

  it('fixed_fractional: risk_fraction of equity over the stop distance (percent, or ATR multiple known at the bar)', () => {
    const pct = size({ kind: 'fixed_fractional', risk_fraction: 0.01, stop: { percent: 0.05 } });
    expect(pct.values[0]![10]).toBeCloseTo(0.2, 14);
    expect(pct.values[1]![10]).toBeCloseTo(-0.2, 14);
    const byAtr = size({ kind: 'fixed_fractional', risk_fraction: 0.01, stop: { atr_multiple: 2, window: 14 } });
    // The random walk has closes only: the true range is the close-to-close move.
    const a = atr([...panel.close[0]!], [...panel.close[0]!], [...panel.close[0]!], 14);
    for (const t of [40, 150, 299])
      expect(byAtr.values[0]![t]).toBeCloseTo((0.01 * panel.close[0]![t]!) / (2 * a[t]!), 12);
    // With highs and lows, the true range uses them.
    const ohlc: BarPanel = {
      ...panel,
      high: panel.close.map((c) => c.map((x) => x * 1.01)),
      low: panel.close.map((c) => c.map((x) => x * 0.99)),
    };
    const withRange = size(
      { kind: 'fixed_fractional', risk_fraction: 0.01, stop: { atr_multiple: 2 } },
      10,
      decisions,
      ohlc,
    );
    const ar = atr([...ohlc.high![0]!], [...ohlc.low![0]!], [...ohlc.close[0]!], 14);
    expect(withRange.values[0]![80]).toBeCloseTo((0.01 * panel.close[0]![80]!) / (2 * ar[80]!), 12);
    expect(withRange.values[0]![80]).not.toBeCloseTo(byAtr.values[0]![80]!, 6);
    // No ATR yet (its window is not full): flat, not a guess.
    expect(byAtr.values[0]![6]).toBe(0);
    expect(() => sizingSchema.parse({ kind: 'fixed_fractional', risk_fraction: 0.01, stop: {} })).toThrow(
      /exactly one of percent or atr_multiple/,
    );
  });

  it('volatility_target: the signal scaled by the target over the trailing realized (or ATR) volatility', () => {
    const r = size({ kind: 'volatility_target', annual_vol: 0.1, window: 20 });
    for (const t of [30, 200]) {
      const c = panel.close[0]!;
      const rets = Array.from({ length: 20 }, (_, i) => Math.log(c[t - 19 + i]! / c[t - 20 + i]!));
      const m = rets.reduce((x, y) => x + y, 0) / 20;
      const sd = Math.sqrt(rets.reduce((x, y) => x + (y - m) ** 2, 0) / 19) * Math.sqrt(252);
      expect(r.values[0]![t]).toBeCloseTo((0.4 * 0.1) / sd, 10);
    }
    const byAtr = size({ kind: 'volatility_target', annual_vol: 0.1, estimator: 'atr', window: 14 });
    const a = atr([...panel.close[1]!], [...panel.close[1]!], [...panel.close[1]!], 14);
    expect(byAtr.values[1]![100]).toBeCloseTo((-0.4 * 0.1) / ((a[100]! / panel.close[1]![100]!) * Math.sqrt(252)), 10);
  });

  it('a bar whose sized gross weight passes max leverage is scaled down, both legs alike', () => {
    const r = size({ kind: 'fixed_fractional', risk_fraction: 0.05, stop: { percent: 0.05 } }, 1.5);
    // 1 each unscaled (gross 2): 0.75 each at a max leverage of 1.5.
    expect(r.values[0]![50]).toBeCloseTo(0.75, 14);
    expect(r.values[1]![50]).toBeCloseTo(-0.75, 14);
  });

  it('kelly: f* = W - (1 - W) / R from the round trips closed by the decision, and flat before min_trades', () => {
    // One symbol, long on bars 0-9, 20-29 and 40-49 and flat between: three trips entered at a
    // close of 100 and left at bars 10 (110: +10%), 30 (95: -5%) and 50 (110: +10%).
    const close = new Float64Array(60).fill(100);
    close[10] = 110;
    close[30] = 95;
    close[50] = 110;
    const p: BarPanel = {
      dates: panel.dates.slice(0, 60),
      symbols: ['AAA'],
      open: [close],
      close: [close],
      volume: [close],
    };
    const signal = [Float64Array.from({ length: 60 }, (_, t) => (Math.floor(t / 10) % 2 === 0 ? 1 : 0))];
    const f = kellyFractions(p, signal, 2);
    expect(f[29]).toBeNaN(); // one trip closed: fewer than min_trades
    // After two trips (+10%, -5%): W 1/2, R 0.10/0.05 = 2: f* = 0.5 - 0.5/2 = 0.25.
    expect(f[30]).toBeCloseTo(0.25, 14);
    // After three (+10%, -5%, +10%): W 2/3, R 2: f* = 2/3 - (1/3)/2 = 0.5.
    expect(f[50]).toBeCloseTo(0.5, 14);
    const r = sizeDecisions(p, signal, sizingSchema.parse({ kind: 'kelly', fraction: 0.5, min_trades: 2 }), 1);
    expect(r.values[0]![40]).toBeCloseTo(0.125, 14); // half of 0.25, known at bar 30
    expect(r.values[0]![20]).toBe(0); // flat before two trips closed
  });

  it('nothing a size says before a bar changes when the bars after it change', () => {
    const kinds: Sizing[] = [
      { kind: 'fixed_fractional', risk_fraction: 0.01, stop: { atr_multiple: 2, window: 14 } },
      { kind: 'volatility_target', annual_vol: 0.1, estimator: 'realized', window: 20, periods_per_year: 252 },
      { kind: 'volatility_target', annual_vol: 0.1, estimator: 'atr', window: 20, periods_per_year: 252 },
    ];
    for (const sizing of kinds)
      for (const cut of [60, 222]) {
        const before = sizeDecisions(panel, decisions, sizing, 10).values;
        const after = sizeDecisions(withFuture(panel, cut, 1.3), decisions, sizing, 10).values;
        for (const s of [0, 1])
          expect([...after[s]!.subarray(0, cut + 1)]).toEqual([...before[s]!.subarray(0, cut + 1)]);
      }
  });

  it('the engines size a fixed notional in currency: the vectorized engine at the fill, the trading path in whole shares', async () => {
    const costs = costModelSchema.parse({ execution: { price: 'close' } });
    const one = randomWalkBars(4, 60, ['AAA']);
    const notional = [Float64Array.from({ length: 60 }, () => 20_000)];
    const result = backtestTargetWeights(one, notional, costs, 100_000, 'notional');
    expect(result.trades[0]!.shares * result.trades[0]!.price).toBeCloseTo(20_000, 6);
    const sma = await shippedStrategy('buy_and_hold');
    const { session } = await replayStrategy({
      strategy: sma,
      history: one,
      windowStart: one.dates[0]!,
      costs,
      initialCash: 100_000,
      maxLeverage: 1,
      sizing: { kind: 'fixed_notional', notional: 20_000 },
      risk: riskConfigSchema.parse({ max_position_fraction: 1 }),
      runId: 'sizing',
    });
    expect(session.intents[0]!.quantity).toBe(Math.trunc(20_000 / one.close[0]![0]!));
  });

  it('an event-driven strategy sizes its own orders: sizing it is refused, saying so', async () => {
    const dca = await shippedStrategy('dollar_cost_averaging', { every: 5, budget_share: 0.1 });
    await expect(
      replayStrategy({
        strategy: dca,
        history: panel,
        windowStart: panel.dates[0]!,
        costs: costModelSchema.parse({}),
        initialCash: 100_000,
        maxLeverage: 1,
        sizing: { kind: 'kelly', fraction: 0.5, min_trades: 20, max_weight: 1 },
        risk: riskConfigSchema.parse({}),
        runId: 'sizing',
      }),
    ).rejects.toThrow(/sizing: kelly sizes a vectorized strategy's signals; 'dollar_cost_averaging' is event-driven/);
  });
});
