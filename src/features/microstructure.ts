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
  const ratio = close.map((c, i) =>
    i === 0 || !(volume[i]! > 0) ? Number.NaN : (1e6 * Math.abs(Math.log(c / close[i - 1]!))) / (c * volume[i]!),
  );
  const out = new Array<number>(close.length).fill(Number.NaN);
  for (let i = window; i < close.length; i++) {
    let sum = 0;
    for (let j = i - window + 1; j <= i; j++) sum += ratio[j]!;
    if (!Number.isNaN(sum)) out[i] = sum / window;
  }
  return out;
}

export function volumeZscore(volume: Series, window: number): number[] {
  const out = new Array<number>(volume.length).fill(Number.NaN);
  for (let i = window; i < volume.length; i++) {
    if (Number.isNaN(volume[i]!)) continue;
    let mean = 0;
    for (let j = i - window; j < i; j++) mean += volume[j]!;
    mean /= window;
    if (Number.isNaN(mean)) continue;
    let ss = 0;
    for (let j = i - window; j < i; j++) ss += (volume[j]! - mean) ** 2;
    const sd = Math.sqrt(ss / (window - 1));
    out[i] = sd > 0 ? (volume[i]! - mean) / sd : Number.NaN;
  }
  return out;
}

export function highLowRange(high: Series, low: Series, close: Series): number[] {
  return close.map((c, i) => (high[i]! - low[i]!) / c);
}
