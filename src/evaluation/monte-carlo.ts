import { z } from 'zod';
import { SeededRandom } from '../math/seeded-random.js';
import { performanceMetrics } from './performance-metrics.js';

/**
 * How much of a backtest's result is the particular path it took. Two resamplings, both seeded:
 *
 * - the **stationary bootstrap** of its period returns (Politis and Romano, 1994): each sample
 *   path strings together blocks of consecutive returns starting at uniform random sessions,
 *   of geometric length with the configured mean, so volatility clustering survives within a
 *   block; over the samples, the distribution of Sharpe ratio, maximum drawdown and CAGR;
 * - **trade-order shuffles**: the same round trips' profits in a random order, added to the
 *   starting equity, so the final equity is the same and only the drawdown depends on the
 *   order: how deep it could have been with the same trades.
 *
 * Intervals are the equal-tailed `confidence` range and the median, by the linear quantile
 * (R's type 7, numpy's default) over the samples whose metric is finite.
 */
export const monteCarloSchema = z
  .object({
    /** Sample paths per resampling; 0 turns Monte Carlo off. */
    samples: z.number().int().min(0).max(100_000).default(1000),
    /** The stationary bootstrap's mean block length, in sessions (1: returns drawn independently). */
    mean_block: z.number().min(1).default(21),
    /** The share of samples inside each interval, e.g. 0.9 for the 5th to the 95th percentile. */
    confidence: z.number().gt(0).lt(1).default(0.9),
    seed: z.number().int().min(0).default(1),
  })
  .strict();
export type MonteCarloConfig = z.infer<typeof monteCarloSchema>;

export interface Interval {
  low: number;
  median: number;
  high: number;
}

export interface MonteCarloReport {
  samples: number;
  mean_block: number;
  confidence: number;
  seed: number;
  bootstrap: { sharpe: Interval | null; max_drawdown: Interval | null; cagr: Interval | null };
  /** Null with fewer than two round trips (nothing to reorder). */
  trade_shuffle: { round_trips: number; max_drawdown: Interval | null } | null;
}

/** One stationary-bootstrap path of `returns`, of the same length. */
export function stationaryBootstrapPath(
  returns: ArrayLike<number>,
  meanBlock: number,
  random: SeededRandom,
  out = new Float64Array(returns.length),
): Float64Array {
  const n = returns.length;
  const restart = 1 / meanBlock;
  let i = Math.floor(random.uniform() * n);
  for (let t = 0; t < n; t++) {
    out[t] = returns[i]!;
    i = random.uniform() < restart ? Math.floor(random.uniform() * n) : (i + 1) % n;
  }
  return out;
}

/** The maximum drawdown (negative, or 0) of a starting value plus profits added in the given order. */
export function drawdownOfProfits(start: number, profits: ArrayLike<number>, order: ArrayLike<number>): number {
  let value = start;
  let peak = start;
  let worst = 0;
  for (let k = 0; k < order.length; k++) {
    value += profits[order[k]!]!;
    if (value > peak) peak = value;
    else if (peak > 0) worst = Math.min(worst, value / peak - 1);
  }
  return worst;
}

/** The linear (type 7) quantile of sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function intervalOf(values: Float64Array, confidence: number): Interval | null {
  const finite = values.filter((x) => Number.isFinite(x)).sort();
  if (finite.length === 0) return null;
  const tail = (1 - confidence) / 2;
  return {
    low: quantileSorted(finite, tail),
    median: quantileSorted(finite, 0.5),
    high: quantileSorted(finite, 1 - tail),
  };
}

/**
 * Monte Carlo intervals for an equity curve and its round trips' profits (in currency). Null
 * when `samples` is 0 or the curve has fewer than two returns.
 */
export function monteCarlo(
  equity: ArrayLike<number>,
  tradeProfits: readonly number[],
  periodsPerYear: number,
  c: MonteCarloConfig,
): MonteCarloReport | null {
  if (c.samples === 0 || equity.length < 3) return null;
  const returns = new Float64Array(equity.length - 1);
  for (let t = 1; t < equity.length; t++) returns[t - 1] = equity[t]! / equity[t - 1]! - 1;
  // Separate streams, so adding trades to a backtest does not move its bootstrap.
  const bootstrapRandom = new SeededRandom(c.seed);
  const shuffleRandom = new SeededRandom(c.seed + 0x5bd1e995);
  const sharpe = new Float64Array(c.samples);
  const drawdown = new Float64Array(c.samples);
  const cagr = new Float64Array(c.samples);
  const path = new Float64Array(returns.length);
  const values = new Array<number>(equity.length);
  for (let s = 0; s < c.samples; s++) {
    stationaryBootstrapPath(returns, c.mean_block, bootstrapRandom, path);
    values[0] = 1;
    for (let t = 0; t < path.length; t++) values[t + 1] = values[t]! * (1 + path[t]!);
    const m = performanceMetrics(values, periodsPerYear);
    sharpe[s] = m.sharpe;
    drawdown[s] = m.max_drawdown;
    cagr[s] = m.cagr;
  }
  let tradeShuffle: MonteCarloReport['trade_shuffle'] = null;
  if (tradeProfits.length >= 2) {
    const shuffled = new Float64Array(c.samples);
    for (let s = 0; s < c.samples; s++)
      shuffled[s] = drawdownOfProfits(equity[0]!, tradeProfits, shuffleRandom.permutation(tradeProfits.length));
    tradeShuffle = { round_trips: tradeProfits.length, max_drawdown: intervalOf(shuffled, c.confidence) };
  }
  return {
    samples: c.samples,
    mean_block: c.mean_block,
    confidence: c.confidence,
    seed: c.seed,
    bootstrap: {
      sharpe: intervalOf(sharpe, c.confidence),
      max_drawdown: intervalOf(drawdown, c.confidence),
      cagr: intervalOf(cagr, c.confidence),
    },
    trade_shuffle: tradeShuffle,
  };
}
