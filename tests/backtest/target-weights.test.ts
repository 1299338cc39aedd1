import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backtestTargetWeights, sweepTargetWeights, type MarketData } from '../../src/backtest/target-weights.js';
import { costModelSchema } from '../../src/costs/cost-model.js';
import { performanceMetrics } from '../../src/evaluation/performance-metrics.js';

const free = costModelSchema.parse({});
const f64 = (xs: number[]) => Float64Array.from(xs);

function market(open: number[][], close: number[][], volume = 1e9): MarketData {
  const T = close[0]!.length;
  const dates = Array.from({ length: T }, (_, t) => new Date(Date.UTC(2024, 0, 1 + t)).toISOString().slice(0, 10));
  return {
    dates,
    symbols: close.map((_, s) => `S${s}`),
    open: open.map(f64),
    close: close.map(f64),
    volume: close.map(() => new Float64Array(T).fill(volume)),
  };
}

describe('target-weight backtests', () => {
  it('a weight decided on bar t fills at bar t+1 open, by hand', () => {
    const data = market([[10, 11, 12, 13]], [[10, 12, 12, 15]]);
    const r = backtestTargetWeights(data, [f64([1, Number.NaN, 0, Number.NaN])], free, 1000);
    // Bar 1: buy 1000 / 11 shares at the open; close 12. Bar 3: sell all at the open 13.
    expect(r.equity[0]).toBe(1000);
    expect(r.equity[1]).toBeCloseTo((1000 / 11) * 12, 9);
    expect(r.equity[2]).toBeCloseTo((1000 / 11) * 12, 9);
    expect(r.equity[3]).toBeCloseTo((1000 / 11) * 13, 9);
    expect(r.trades.map((t) => [t.decided, t.date, t.price])).toEqual([
      ['2024-01-01', '2024-01-02', 11],
      ['2024-01-03', '2024-01-04', 13],
    ]);
    expect(r.positions[0]![3]).toBeCloseTo(0, 9);
    expect(r.turnover[1]).toBeCloseTo(1, 12);
    expect(r.grossExposure[1]).toBeCloseTo(1, 12);
  });

  it('costs: fees and slippage taken from cash exactly as the cost model computes them; shorts pay borrow', () => {
    const model = costModelSchema.parse({
      fees: { per_share: 0.01, min_per_order: 1 },
      slippage: { fixed_bps: 10 },
      borrow: { annual_rate: 0.36 },
    });
    const data = market([[100, 100, 100]], [[100, 100, 100]]);
    const r = backtestTargetWeights(data, [f64([-0.5, Number.NaN, Number.NaN])], model, 10_000);
    // Short 50 shares at 100 x (1 - 0.001) = 99.9: fee max(1, 0.5) = 1. Cash 10,000 + 4,995 - 1.
    const cash = 10_000 + 50 * 99.9 - 1;
    expect(r.equity[1]).toBeCloseTo(cash - 50 * 100, 9);
    // One calendar day short of 5,000 at 36% / 360: 5.00.
    expect(r.equity[2]).toBeCloseTo(cash - 50 * 100 - 5, 9);
    expect(r.costs.fees).toBe(1);
    expect(r.costs.slippage).toBeCloseTo(5, 9);
    expect(r.costs.borrow).toBeCloseTo(5, 9);
    expect(r.netExposure[1]).toBeLessThan(0);
  });

  it('a strategy that peeks at tomorrow cannot profit: its signal is stale by the time it fills', () => {
    // Every move happens overnight (open = close each day): a fill at the open already pays tomorrow's price.
    let seed = 3;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    const close = [100];
    for (let t = 1; t < 2000; t++) close.push(close[t - 1]! * (1 + (rand() - 0.5) * 0.04));
    const data = market([close], [close]);
    // The planted signal: long when tomorrow's close is higher, short otherwise (needs lookahead).
    const peek = f64(close.map((c, t) => (t + 1 < close.length ? (close[t + 1]! > c ? 1 : -1) : 0)));
    const honest = backtestTargetWeights(data, [peek], free, 1e6);
    const m = performanceMetrics([...honest.equity], 252);
    expect(Math.abs(m.sharpe)).toBeLessThan(1); // no edge (a cheating fill on bar t would make it enormous)
    let cheat = 1;
    for (let t = 0; t + 1 < close.length; t++) cheat *= 1 + peek[t]! * (close[t + 1]! / close[t]! - 1);
    expect(cheat).toBeGreaterThan(1e6);
  });

  it('point in time: changing bars after t changes nothing at or before t', () => {
    const base = [100, 101, 99, 103, 104, 102, 105, 107];
    const weights = [f64([0.5, 1, -0.5, 0, 1, 0.3, 0.2, 0])];
    const ref = backtestTargetWeights(
      market([base], [base.map((x) => x * 1.001)]),
      weights,
      costModelSchema.parse({ fees: { bps: 5 } }),
      1e4,
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.double({ min: 50, max: 200, noNaN: true }), (t, price) => {
        const changed = base.map((x, i) => (i > t ? price : x));
        const r = backtestTargetWeights(
          market([changed], [changed.map((x) => x * 1.001)]),
          weights,
          costModelSchema.parse({ fees: { bps: 5 } }),
          1e4,
        );
        expect([...r.equity.slice(0, t + 1)]).toEqual([...ref.equity.slice(0, t + 1)]);
      }),
      { numRuns: 50 },
    );
  });

  it('sweeps many weight sets over one data set, and rejects weights of the wrong shape', () => {
    const data = market(
      [
        [10, 10, 10],
        [20, 20, 20],
      ],
      [
        [10, 11, 12],
        [20, 19, 18],
      ],
    );
    const runs = sweepTargetWeights(
      data,
      [
        [f64([1, 1, 1]), f64([0, 0, 0])],
        [f64([0, 0, 0]), f64([1, 1, 1])],
      ],
      free,
      100,
    );
    expect(runs[0]!.equity[2]).toBeCloseTo(120, 9);
    expect(runs[1]!.equity[2]).toBeCloseTo(90, 9);
    expect(() => backtestTargetWeights(data, [f64([1, 1, 1])], free, 100)).toThrow(/2 symbols x 3 bars/);
  });
});
