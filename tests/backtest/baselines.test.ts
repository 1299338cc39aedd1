import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { onChangesOnly } from '../../src/backtest/on-changes-only.js';
import { shippedWeights } from '../helpers/shipped-strategy.js';
import type { MarketData } from '../../src/backtest/target-weights.js';

function market(close: number[][]): MarketData {
  const T = close[0]!.length;
  return {
    dates: Array.from({ length: T }, (_, t) => `2024-01-${String(t + 1).padStart(2, '0')}`),
    symbols: close.map((_, s) => `S${s}`),
    open: close.map((c) => Float64Array.from(c)),
    close: close.map((c) => Float64Array.from(c)),
    volume: close.map(() => new Float64Array(T).fill(1e6)),
  };
}

const data = market([
  [10, 11, 12, 13, 14, 15, 16, 17],
  [10, 9, 8, 7, 6, 5, 4, 3],
  [10, Number.NaN, 10, 10.5, 11, 11, 11, 11],
]);

describe('the shipped baseline strategies (strategies/) as target weights', () => {
  it('buy-and-hold sets equal weights once; equal-weight resets them on schedule among the symbols trading', async () => {
    const bh = await shippedWeights('buy_and_hold', data);
    expect(bh.map((w) => w[0])).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(bh.every((w) => w.slice(1).every(Number.isNaN))).toBe(true);
    const ew = await shippedWeights('equal_weight', data, { every: 1 });
    expect(ew.map((w) => w[1])).toEqual([0.5, 0.5, 0]); // S2 has no bar on day 2
    expect(Number.isNaN((await shippedWeights('equal_weight', data, { every: 3 }))[0]![1]!)).toBe(true);
  });

  it('SMA crossover: long while the fast average is above the slow, flat until the slow window fills', async () => {
    const w = await shippedWeights('sma_crossover', data, { fast: 2, slow: 4 });
    expect([...w[0]!]).toEqual([0, 0, 0, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3]);
    expect([...w[1]!]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    await expect(shippedWeights('sma_crossover', data, { fast: 4, slow: 2 })).rejects.toThrow(
      /fast must be shorter than slow/,
    );
  });

  it('momentum holds the recent winners, skipping the latest bars', async () => {
    const w = await shippedWeights('momentum', data, { lookback: 4, skip: 1, top: 0.34, every: 2 });
    // At t = 4: returns from t=0 to t=3: S0 +30%, S1 -30%, S2 +5%: the top third is S0.
    expect(w.map((x) => x[4])).toEqual([1, 0, 0]);
    expect(Number.isNaN(w[0]![5]!)).toBe(true);
  });

  it('point in time: changing later closes changes no earlier weight', async () => {
    const base = [data.close[0]!, data.close[1]!, data.close[2]!].map((c) => [...c]);
    const both = (panel: MarketData) =>
      Promise.all([
        shippedWeights('sma_crossover', panel, { fast: 2, slow: 4 }),
        shippedWeights('momentum', panel, { lookback: 3, skip: 0, top: 0.5, every: 1 }),
      ]);
    const before = await both(data);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 6 }), fc.double({ min: 1, max: 50, noNaN: true }), async (t, x) => {
        const changed = market(base.map((c) => c.map((v, i) => (i > t ? x : v))));
        const after = await both(changed);
        for (let k = 0; k < 2; k++)
          for (let s = 0; s < 3; s++)
            expect([...after[k]![s]!.slice(0, t + 1)]).toEqual([...before[k]![s]!.slice(0, t + 1)]);
      }),
      { numRuns: 40 },
    );
  });
});

describe('orders on changes only', () => {
  it('keeps a weight only where the decision changed; NaN (hold) elsewhere', () => {
    const [w] = onChangesOnly([Float64Array.from([0, 0, 0.5, 0.5, Number.NaN, 0.5, 0, 0])]);
    expect([...w!]).toEqual([0, Number.NaN, 0.5, Number.NaN, Number.NaN, Number.NaN, 0, Number.NaN]);
  });
});
