import { sma, volClose, type Series } from './indicators.js';

/**
 * Market regime features, each using only data at or before its day: where today's volatility
 * sits among the past year's (0 low, 1 middle, 2 high tercile), whether the close is above its
 * long moving average (1) or below (-1), and the drawdown from the running peak with its state
 * (0 shallower than the first threshold, 1 between, 2 deeper than the second).
 */
export function volatilityRegime(close: Series, window: number, lookback: number, periodsPerYear: number): number[] {
  const vol = volClose(close, window, periodsPerYear);
  return vol.map((v, i) => {
    if (Number.isNaN(v) || i - lookback + 1 < 0) return Number.NaN;
    const past = vol.slice(i - lookback + 1, i + 1);
    if (past.some(Number.isNaN)) return Number.NaN;
    const rank = past.filter((x) => x <= v).length / past.length;
    return rank <= 1 / 3 ? 0 : rank <= 2 / 3 ? 1 : 2;
  });
}

export function trendRegime(close: Series, window: number): number[] {
  const avg = sma(close, window);
  return close.map((c, i) => (Number.isNaN(avg[i]!) ? Number.NaN : c >= avg[i]! ? 1 : -1));
}

export function drawdown(close: Series): number[] {
  let peak = Number.NEGATIVE_INFINITY;
  return close.map((c) => {
    if (Number.isNaN(c)) return Number.NaN;
    peak = Math.max(peak, c);
    return c / peak - 1;
  });
}

export function drawdownState(close: Series, thresholds: readonly [number, number]): number[] {
  return drawdown(close).map((d) =>
    Number.isNaN(d) ? Number.NaN : -d < thresholds[0] ? 0 : -d < thresholds[1] ? 1 : 2,
  );
}
