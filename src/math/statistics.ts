/**
 * The moments every metric is built from, written once: the Sharpe ratio of a whole series,
 * of a rolling window and of a sweep's runs are the same arithmetic, in the same order, so the
 * same returns give the same bits wherever they are scored.
 */

/** Arithmetic mean of xs[from, to). */
export function mean(xs: ArrayLike<number>, from = 0, to = xs.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += xs[i]!;
  return s / (to - from);
}

/** Sample variance (n - 1) of xs[from, to), by two passes: the mean first, then squared deviations from it. */
export function sampleVariance(xs: ArrayLike<number>, from = 0, to = xs.length): number {
  const m = mean(xs, from, to);
  let ss = 0;
  for (let i = from; i < to; i++) ss += (xs[i]! - m) ** 2;
  return ss / (to - from - 1);
}

/** Population variance (n) of xs[from, to), by two passes. */
export function populationVariance(xs: ArrayLike<number>, from = 0, to = xs.length): number {
  const m = mean(xs, from, to);
  let ss = 0;
  for (let i = from; i < to; i++) ss += (xs[i]! - m) ** 2;
  return ss / (to - from);
}

/** Sample standard deviation (n - 1) of xs[from, to). */
export function sampleStd(xs: ArrayLike<number>, from = 0, to = xs.length): number {
  return Math.sqrt(sampleVariance(xs, from, to));
}

/**
 * The annualised Sharpe ratio sqrt(P) mean / sd of per-period returns with this mean and sample
 * standard deviation; NaN where the returns do not vary (it is undefined there, not infinite).
 */
export function annualizedSharpe(meanReturn: number, sd: number, periodsPerYear: number): number {
  return sd > 0 ? (Math.sqrt(periodsPerYear) * meanReturn) / sd : Number.NaN;
}

/** The annualised Sharpe ratio of the returns xs[from, to). */
export function sharpeOfReturns(xs: ArrayLike<number>, periodsPerYear: number, from = 0, to = xs.length): number {
  return annualizedSharpe(mean(xs, from, to), sampleStd(xs, from, to), periodsPerYear);
}
