import { simulateFillAt, type CostModel } from '../costs/cost-model.js';
import { sharpeOfReturns } from '../math/statistics.js';

/** One symbol's bars, every session present (no NaN): what a parameter sweep runs over. */
export interface SingleAssetBars {
  open: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** What a sweep keeps of each run: enough to rank parameter sets, without trade logs. */
export interface SweepRun {
  finalEquity: number;
  /** Annualised Sharpe ratio of the daily equity returns (sample standard deviation). */
  sharpe: number;
  fills: number;
}

/**
 * Many parameter sets over one symbol at once: `weight(k, t)` is run k's target weight decided
 * on bar t's close. Each run is the vectorized engine's simulation (backtestTargetWeights) on a
 * single symbol, fill for fill and through the same cost model, but keeps only each run's
 * returns in one buffer they all share, so a thousand runs cost a thousand passes over flat
 * arrays and no allocation per bar. Sharpe is scored as everywhere else (math/statistics).
 * Long and flat only: shorts (and their borrow) go through backtestTargetWeights.
 */
export function sweepSingleAsset(
  bars: SingleAssetBars,
  runs: number,
  weight: (k: number, t: number) => number,
  model: CostModel,
  initialCash: number,
  periodsPerYear: number,
): SweepRun[] {
  const T = bars.close.length;
  const delay = model.execution.delay_bars;
  const exec = model.execution.price === 'open' ? bars.open : bars.close;
  const out: SweepRun[] = [];
  const returns = new Float64Array(Math.max(0, T - 1));
  for (let k = 0; k < runs; k++) {
    let cash = initialCash;
    let shares = 0;
    let fills = 0;
    let prev = initialCash;
    for (let t = 0; t < T; t++) {
      if (t >= delay) {
        const w = weight(k, t - delay);
        if (w < 0)
          throw new Error(`sweepSingleAsset runs long or flat: run ${k} asks for weight ${w} on bar ${t - delay}`);
        const price = exec[t]!;
        if (!Number.isNaN(w)) {
          const equityAtExec = shares !== 0 ? cash + shares * price : cash;
          const ordered = (w * equityAtExec) / price - shares;
          if (Math.abs(ordered) >= 1e-12) {
            const fill = simulateFillAt(model, ordered, price, bars.volume[t]!);
            if (fill.shares !== 0) {
              shares += fill.shares;
              cash -= fill.shares * fill.price + fill.fee;
              fills++;
            }
          }
        }
      }
      const equity = shares !== 0 ? cash + shares * bars.close[t]! : cash;
      if (t > 0) returns[t - 1] = equity / prev - 1;
      prev = equity;
    }
    out.push({ finalEquity: prev, sharpe: sharpeOfReturns(returns, periodsPerYear), fills });
  }
  return out;
}

/** Prefix sums of a series (length n + 1, starting at 0): any window's mean in O(1), added left to right. */
export function prefixSums(xs: ArrayLike<number>): Float64Array {
  const ps = new Float64Array(xs.length + 1);
  for (let i = 0; i < xs.length; i++) ps[i + 1] = ps[i]! + xs[i]!;
  return ps;
}

/**
 * SMA crossover weights for many (fast, slow) pairs from one set of prefix sums: run k is long
 * (weight 1) on bar t when the mean of the last fast closes is above the mean of the last slow
 * ones, flat before the slow window fills and otherwise.
 */
export function smaCrossoverSweepWeights(
  close: ArrayLike<number>,
  pairs: readonly (readonly [fast: number, slow: number])[],
): (k: number, t: number) => number {
  const ps = prefixSums(close);
  return (k, t) => {
    const [fast, slow] = pairs[k]!;
    if (t + 1 < slow) return 0;
    return (ps[t + 1]! - ps[t + 1 - fast]!) / fast > (ps[t + 1]! - ps[t + 1 - slow]!) / slow ? 1 : 0;
  };
}
