import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/math/seeded-random.js';
import { probabilityOfBacktestOverfitting } from '../../src/evaluation/pbo.js';
import { combinations, cpcvPathCount } from '../../src/evaluation/cross-validation.js';
import { sharpeOfReturns } from '../../src/math/statistics.js';

/** CSCV as the paper states it, gathering each split's returns: the reference for the one-pass sums. */
function naivePbo(returns: Float64Array[], S: number): number[] {
  const T = returns[0]!.length;
  const bounds = Array.from({ length: S + 1 }, (_, b) => Math.round((b * T) / S));
  const gather = (r: Float64Array, chosen: number[]) =>
    chosen.flatMap((b) => [...r.subarray(bounds[b]!, bounds[b + 1]!)]);
  return combinations(S, S / 2).map((train) => {
    const test = [...Array(S).keys()].filter((b) => !train.includes(b));
    const inSample = returns.map((r) => sharpeOfReturns(gather(r, train), 252));
    const best = inSample.indexOf(Math.max(...inSample));
    const oos = returns.map((r) => sharpeOfReturns(gather(r, test), 252));
    const rank = oos.filter((x) => x < oos[best]!).length + (oos.filter((x) => x === oos[best]!).length + 1) / 2;
    const omega = rank / (returns.length + 1);
    return Math.log(omega / (1 - omega));
  });
}

/** N configurations of T daily returns: noise of 1% a day, plus a drift for those given one. */
function returnsOf(N: number, T: number, seed: number, drift: (n: number) => number = () => 0): Float64Array[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: N }, (_, n) => Float64Array.from({ length: T }, () => drift(n) + 0.01 * random.normal()));
}

describe('probability of backtest overfitting (CSCV)', () => {
  it('splits into C(S, S/2) train/test halves; CPCV makes C(G, k) k / G paths', () => {
    expect(combinations(6, 3)).toHaveLength(20);
    expect(probabilityOfBacktestOverfitting(returnsOf(5, 120, 1), 6).splits).toBe(20);
    expect(cpcvPathCount(6, 2)).toBe(5); // López de Prado's example: 15 splits, 5 paths
    expect(cpcvPathCount(10, 2)).toBe(9);
  });

  it('equals CSCV computed the long way, split by split', () => {
    const returns = returnsOf(12, 333, 9, (n) => n * 0.0001);
    const r = probabilityOfBacktestOverfitting(returns, 8);
    const reference = naivePbo(returns, 8);
    expect(r.logits).toHaveLength(reference.length);
    r.logits.forEach((l, i) => expect(l).toBeCloseTo(reference[i]!, 9));
  });

  it('is high on a planted overfit: the best of many noise configurations in sample is a coin toss out of sample', () => {
    // One sample's PBO varies a lot (its splits share the data); over independent samples it is near one half.
    const pbos = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => probabilityOfBacktestOverfitting(returnsOf(40, 600, seed), 10));
    expect(pbos[0]!.splits).toBe(252);
    const mean = pbos.reduce((a, r) => a + r.pbo, 0) / pbos.length;
    expect(mean).toBeGreaterThan(0.3);
    expect(mean).toBeLessThan(0.7);
  });

  it('is low on a planted signal: one configuration that really earns stays best out of sample', () => {
    // Configuration 3 earns 0.15% a day (a Sharpe ratio near 2.4); the others are noise.
    const r = probabilityOfBacktestOverfitting(
      returnsOf(40, 1000, 7, (n) => (n === 3 ? 0.0015 : 0)),
      10,
    );
    expect(r.pbo).toBeLessThan(0.05);
    const sorted = [...r.logits].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]!).toBeGreaterThan(2); // typically ranked near the top
  });

  it('refuses what it cannot compute, saying why', () => {
    expect(() => probabilityOfBacktestOverfitting(returnsOf(1, 100, 1), 4)).toThrow(/at least 2 are needed/);
    expect(() => probabilityOfBacktestOverfitting(returnsOf(3, 100, 1), 5)).toThrow(/even number of blocks/);
    expect(() => probabilityOfBacktestOverfitting(returnsOf(3, 10, 1), 8)).toThrow(/at least 16 sessions/);
  });
});
