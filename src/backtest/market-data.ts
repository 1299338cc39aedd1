/**
 * Bars of several symbols on one common session axis: `open[s][t]` is symbol s on dates[t].
 * A missing bar is NaN: a symbol cannot trade or be valued that day (its last close is kept).
 * High and low are optional: without them, stops and take-profits trigger on the open and
 * close only.
 */
export interface MarketData {
  dates: readonly string[];
  symbols: readonly string[];
  open: readonly Float64Array[];
  close: readonly Float64Array[];
  volume: readonly Float64Array[];
  high?: readonly Float64Array[];
  low?: readonly Float64Array[];
}

/** A series with each missing value (NaN) replaced by the last known one; leading NaNs stay. */
export function carryForward(xs: Float64Array): Float64Array {
  const out = Float64Array.from(xs);
  for (let t = 1; t < out.length; t++) if (Number.isNaN(out[t]!)) out[t] = out[t - 1]!;
  return out;
}

/** Bars t in [from, to) of a MarketData (the arrays are views, not copies). */
export function barsBetween(data: MarketData, from: number, to: number): MarketData {
  const cut = (xs: readonly Float64Array[] | undefined) => xs?.map((x) => x.subarray(from, to));
  return {
    dates: data.dates.slice(from, to),
    symbols: data.symbols,
    open: cut(data.open)!,
    close: cut(data.close)!,
    volume: cut(data.volume)!,
    ...(data.high ? { high: cut(data.high)! } : {}),
    ...(data.low ? { low: cut(data.low)! } : {}),
  };
}

const DAY_MS = 86_400_000;

/** Calendar days between two sessions (borrow accrues over weekends and holidays too). */
export function calendarDaysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);
}
