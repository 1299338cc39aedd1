import { normalCdf } from '../math/normal.js';
import { annualizedSharpe, mean, sampleStd } from '../math/statistics.js';

/**
 * Performance metrics of a value series (prices or an equity curve), by the textbook formulas:
 * simple period returns r, risk-free 0, sample standard deviation (n - 1), `periodsPerYear`
 * periods a year.
 *
 * - sharpe = sqrt(P) mean(r) / sd(r); sortino = sqrt(P) mean(r) / sqrt(mean(min(r, 0)^2))
 * - volatility = sd(r) sqrt(P); max_drawdown = min(V / running max(V) - 1), negative
 * - cagr = (V_T / V_0)^(P / T) - 1 with T the number of returns; calmar = cagr / |max_drawdown|
 * - psr0: the probabilistic Sharpe ratio against 0 (Bailey and Lopez de Prado, 2012),
 *   Phi(SR sqrt(T - 1) / sqrt(1 - skew SR + (kurt - 1) / 4 SR^2)), SR per period, skew and
 *   kurt the population moments, kurt raw (3 for a normal), not excess.
 */
export interface PerformanceMetrics {
  n_returns: number;
  total_return: number;
  sharpe: number;
  sortino: number;
  volatility: number;
  max_drawdown: number;
  cagr: number;
  calmar: number;
  psr0: number;
}

export const PERFORMANCE_METRIC_NAMES = [
  'n_returns',
  'total_return',
  'sharpe',
  'sortino',
  'volatility',
  'max_drawdown',
  'cagr',
  'calmar',
  'psr0',
] as const;

export function simpleReturns(values: readonly number[]): number[] {
  const r: number[] = [];
  for (let i = 1; i < values.length; i++) r.push(values[i]! / values[i - 1]! - 1);
  return r;
}

/** Population skewness and raw (not excess) kurtosis. */
export function moments(xs: readonly number[]): { skew: number; kurtosis: number } {
  const m = mean(xs);
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (const x of xs) {
    const d = x - m;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= xs.length;
  m3 /= xs.length;
  m4 /= xs.length;
  return { skew: m3 / m2 ** 1.5, kurtosis: m4 / (m2 * m2) };
}

export function maxDrawdown(values: readonly number[]): number {
  let peak = -Infinity;
  let worst = 0;
  for (const v of values) {
    peak = Math.max(peak, v);
    worst = Math.min(worst, v / peak - 1);
  }
  return worst;
}

/** What the probabilistic and deflated Sharpe ratios need of a return series (per period; kurtosis raw). */
export interface SharpeMoments {
  sharpe: number;
  observations: number;
  skew: number;
  kurtosis: number;
}

export function sharpeMoments(returns: readonly number[]): SharpeMoments {
  return { sharpe: mean(returns) / sampleStd(returns), observations: returns.length, ...moments(returns) };
}

/** The probabilistic Sharpe ratio: the probability that the true per-period Sharpe exceeds `benchmark`. */
export function probabilisticSharpeOf(m: SharpeMoments, benchmark = 0): number {
  const sr = m.sharpe;
  return normalCdf(
    ((sr - benchmark) * Math.sqrt(m.observations - 1)) / Math.sqrt(1 - m.skew * sr + ((m.kurtosis - 1) / 4) * sr * sr),
  );
}

export function probabilisticSharpe(returns: readonly number[], benchmark = 0): number {
  return probabilisticSharpeOf(sharpeMoments(returns), benchmark);
}

/** Metrics of one value series; it needs at least three values (two returns) for a standard deviation. */
export function performanceMetrics(values: readonly number[], periodsPerYear: number): PerformanceMetrics {
  if (values.length < 3)
    throw new Error(`performance metrics need at least 3 values (2 returns), got ${values.length}`);
  const r = simpleReturns(values);
  const sd = sampleStd(r);
  const downside = Math.sqrt(mean(r.map((x) => Math.min(x, 0) ** 2)));
  const total = values.at(-1)! / values[0]! - 1;
  const mdd = maxDrawdown(values);
  const cagr = (values.at(-1)! / values[0]!) ** (periodsPerYear / r.length) - 1;
  return {
    n_returns: r.length,
    total_return: total,
    sharpe: annualizedSharpe(mean(r), sd, periodsPerYear),
    sortino: (Math.sqrt(periodsPerYear) * mean(r)) / downside,
    volatility: sd * Math.sqrt(periodsPerYear),
    max_drawdown: mdd,
    cagr,
    calmar: mdd < 0 ? cagr / Math.abs(mdd) : Number.NaN,
    psr0: probabilisticSharpe(r, 0),
  };
}
