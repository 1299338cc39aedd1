import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/math/seeded-random.js';
import {
  drawdownOfProfits,
  monteCarlo,
  monteCarloSchema,
  quantileSorted,
  stationaryBootstrapPath,
} from '../../src/evaluation/monte-carlo.js';
import { performanceMetrics } from '../../src/evaluation/performance-metrics.js';

function equityOf(returns: readonly number[]): number[] {
  const v = [100];
  for (const r of returns) v.push(v.at(-1)! * (1 + r));
  return v;
}

function normalReturns(n: number, mean: number, sd: number, seed: number): number[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: n }, () => mean + sd * random.normal());
}

describe('Monte Carlo resampling', () => {
  it('the linear quantile is R type 7 (numpy default)', () => {
    const xs = Float64Array.from([1, 2, 3, 4]);
    expect(quantileSorted(xs, 0.1)).toBeCloseTo(1.3, 12); // numpy.quantile([1,2,3,4], 0.1)
    expect(quantileSorted(xs, 0.5)).toBe(2.5);
    expect(quantileSorted(xs, 0.95)).toBeCloseTo(3.85, 12);
    expect(quantileSorted(Float64Array.from([7]), 0.3)).toBe(7);
  });

  it('a stationary-bootstrap path draws blocks of consecutive returns: length 1 blocks are single draws, endless ones a rotation', () => {
    const returns = Float64Array.from({ length: 50 }, (_, i) => i);
    const iid = stationaryBootstrapPath(returns, 1, new SeededRandom(3));
    // With a restart on every step, a run of consecutive indices is as rare as chance makes it.
    let runs = 0;
    for (let t = 1; t < iid.length; t++) if (iid[t] === (iid[t - 1]! + 1) % 50) runs++;
    expect(runs).toBeLessThan(5);
    const rotation = stationaryBootstrapPath(returns, 1e12, new SeededRandom(3));
    for (let t = 1; t < rotation.length; t++) expect(rotation[t]).toBe((rotation[t - 1]! + 1) % 50);
    // A mean block of 10 gives runs averaging about 10.
    const path = stationaryBootstrapPath(
      Float64Array.from({ length: 20_000 }, (_, i) => i),
      10,
      new SeededRandom(5),
    );
    let blocks = 1;
    for (let t = 1; t < path.length; t++) if (path[t] !== path[t - 1]! + 1) blocks++;
    expect(path.length / blocks).toBeGreaterThan(9);
    expect(path.length / blocks).toBeLessThan(11);
  });

  it("the bootstrap's Sharpe interval has the width the textbook standard error gives (Lo 2002), around the sample's", () => {
    const T = 2000;
    const returns = normalReturns(T, 0.0005, 0.01, 11);
    const equity = equityOf(returns);
    const c = monteCarloSchema.parse({ samples: 2000, mean_block: 1, confidence: 0.9, seed: 4 });
    const report = monteCarlo(equity, [], 252, c)!;
    const sample = performanceMetrics(equity, 252);
    const sr = sample.sharpe / Math.sqrt(252); // per period
    const se = Math.sqrt((1 + (sr * sr) / 2) / T) * Math.sqrt(252);
    const width = report.bootstrap.sharpe!.high - report.bootstrap.sharpe!.low;
    expect(width / (2 * 1.6449 * se)).toBeGreaterThan(0.85);
    expect(width / (2 * 1.6449 * se)).toBeLessThan(1.15);
    expect(report.bootstrap.sharpe!.low).toBeLessThan(sample.sharpe);
    expect(report.bootstrap.sharpe!.high).toBeGreaterThan(sample.sharpe);
    expect(Math.abs(report.bootstrap.sharpe!.median - sample.sharpe)).toBeLessThan(0.2 * se);
    expect(report.bootstrap.max_drawdown!.high).toBeLessThanOrEqual(0);
    expect(report.trade_shuffle).toBeNull();
  });

  it('is seeded: one seed gives one report, another seed another', () => {
    const equity = equityOf(normalReturns(300, 0.0003, 0.012, 2));
    const profits = [5, -3, 8, -12, 4, 6, -2];
    const c = monteCarloSchema.parse({ samples: 200 });
    expect(monteCarlo(equity, profits, 252, c)).toEqual(monteCarlo(equity, profits, 252, c));
    expect(monteCarlo(equity, profits, 252, { ...c, seed: 2 })).not.toEqual(monteCarlo(equity, profits, 252, c));
    expect(monteCarlo(equity, profits, 252, { ...c, samples: 0 })).toBeNull();
  });

  it('trade-order shuffles keep the trades and move only the drawdown: never deeper than all the losses first', () => {
    const profits = [10, -30, 25, -5, 40, -20];
    expect(drawdownOfProfits(100, profits, [0, 1, 2, 3, 4, 5])).toBeCloseTo(-30 / 110, 12);
    expect(drawdownOfProfits(100, [1, 2, 3], [2, 1, 0])).toBe(0);
    const equity = equityOf(normalReturns(100, 0, 0.01, 1));
    const report = monteCarlo(equity, profits, 252, monteCarloSchema.parse({ samples: 500 }))!;
    const worst = drawdownOfProfits(equity[0]!, profits, [1, 3, 5, 0, 2, 4]); // every loss before any gain
    expect(report.trade_shuffle!.round_trips).toBe(6);
    expect(report.trade_shuffle!.max_drawdown!.low).toBeGreaterThanOrEqual(worst);
    expect(report.trade_shuffle!.max_drawdown!.high).toBeLessThanOrEqual(0);
  });
});
