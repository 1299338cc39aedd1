import type { BarPanel } from './bar-panel.js';

/** A symbol's bar `ago` bars before the current one, by symbol index. */
export interface PastBars {
  close(s: number, ago?: number): number;
  open(s: number, ago?: number): number;
  volume(s: number, ago?: number): number;
  /** The bar's high and low, or its open/close range where the panel has none. */
  high(s: number, ago?: number): number;
  low(s: number, ago?: number): number;
}

/**
 * Reads of a panel as of bar `now()`, and never later: `ago` must be >= 0, and asking for a bar
 * ahead throws. What every runner of an event-driven strategy shows it (the event-driven engine,
 * the trading path), so no strategy can look ahead by construction on any of them.
 */
export function pastBars(panel: BarPanel, now: () => number): PastBars {
  const at = (k: number | undefined) => {
    const back = k ?? 0;
    const t = now();
    if (!(back >= 0))
      throw new Error(
        `it asked for a bar ${-back} ahead on ${panel.dates[t]}: strategies see only bars at or before their decision`,
      );
    return t - back;
  };
  const read = (xs: readonly Float64Array[] | undefined, s: number, t: number) => xs?.[s]![t] ?? Number.NaN;
  return {
    close: (s, k) => read(panel.close, s, at(k)),
    open: (s, k) => read(panel.open, s, at(k)),
    volume: (s, k) => read(panel.volume, s, at(k)),
    high: (s, k) => {
      const t = at(k);
      return panel.high?.[s]![t] ?? Math.max(read(panel.open, s, t), read(panel.close, s, t));
    },
    low: (s, k) => {
      const t = at(k);
      return panel.low?.[s]![t] ?? Math.min(read(panel.open, s, t), read(panel.close, s, t));
    },
  };
}
