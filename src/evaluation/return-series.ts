import { sharpeOfReturns } from '../math/statistics.js';

/** Series derived from a value series (prices or equity), for reports and slices. */

/** V_t / max(V_0..V_t) - 1: zero at a new high, negative below it. */
export function drawdownSeries(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  let peak = -Infinity;
  for (let t = 0; t < values.length; t++) {
    peak = Math.max(peak, values[t]!);
    out[t] = values[t]! / peak - 1;
  }
  return out;
}

/**
 * The annualised Sharpe ratio of the `window` simple returns ending at each bar (sample
 * standard deviation); NaN until a full window exists or where the returns do not vary.
 */
export function rollingSharpe(values: ArrayLike<number>, window: number, periodsPerYear: number): Float64Array {
  const out = new Float64Array(values.length).fill(Number.NaN);
  const r = new Float64Array(values.length);
  for (let t = 1; t < values.length; t++) r[t] = values[t]! / values[t - 1]! - 1;
  for (let t = window; t < values.length; t++) out[t] = sharpeOfReturns(r, periodsPerYear, t - window + 1, t + 1);
  return out;
}

/** Each calendar month's return ('YYYY-MM' -> last value of the month over the last value before it; the first month from the first value). */
export function monthlyReturns(dates: readonly string[], values: ArrayLike<number>): Map<string, number> {
  const out = new Map<string, number>();
  let base = values[0]!;
  for (let t = 0; t < dates.length; t++) {
    const month = dates[t]!.slice(0, 7);
    const last = t + 1 === dates.length || dates[t + 1]!.slice(0, 7) !== month;
    if (!last) continue;
    out.set(month, values[t]! / base - 1);
    base = values[t]!;
  }
  return out;
}

/** A series scaled to start at 1 (its first finite value). */
export function rebased(values: ArrayLike<number>): Float64Array {
  let first = Number.NaN;
  for (let t = 0; t < values.length && Number.isNaN(first); t++)
    if (Number.isFinite(values[t]!) && values[t] !== 0) first = values[t]!;
  return Float64Array.from({ length: values.length }, (_, t) => values[t]! / first);
}
