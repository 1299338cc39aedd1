import type { Series } from './indicators.js';

/**
 * Liquidity and activity features from daily bars, each from data at or before its day:
 * Amihud illiquidity (mean of |return| / dollar volume over a window, scaled by 1e6), dollar
 * volume, the z-score of today's volume against the window before it, and the high-low range
 * relative to the close.
 */
export function dollarVolume(close: Series, volume: Series): number[] {
  return close.map((c, i) => c * volume[i]!);
}

export function amihud(close: Series, volume: Series, window: number): number[] {
  const ratio = close.map((c, i) => (i === 0 || !(volume[i]! > 0) ? Number.NaN : (1e6 * Math.abs(Math.log(c / close[i - 1]!))) / (c * volume[i]!)));
  const out = new Array<number>(close.length).fill(Number.NaN);
  for (let i = window; i < close.length; i++) {
    const w = ratio.slice(i - window + 1, i + 1);
    if (w.every((x) => !Number.isNaN(x))) out[i] = w.reduce((a, b) => a + b, 0) / window;
  }
  return out;
}

export function volumeZscore(volume: Series, window: number): number[] {
  const out = new Array<number>(volume.length).fill(Number.NaN);
  for (let i = window; i < volume.length; i++) {
    const past = volume.slice(i - window, i);
    if (past.some(Number.isNaN) || Number.isNaN(volume[i]!)) continue;
    const mean = past.reduce((a, b) => a + b, 0) / window;
    const sd = Math.sqrt(past.reduce((a, b) => a + (b - mean) ** 2, 0) / (window - 1));
    out[i] = sd > 0 ? (volume[i]! - mean) / sd : Number.NaN;
  }
  return out;
}

export function highLowRange(high: Series, low: Series, close: Series): number[] {
  return close.map((c, i) => (high[i]! - low[i]!) / c);
}


