import type { MarketData } from '../../src/backtest/market-data.js';

/**
 * OHLC(V) series from fast-check rows: each bar opens at `o`, closes `move` away, and its high
 * and low reach `spread` beyond the body, so every generated bar is a valid bar.
 */
export function barsFromRows<R extends { o: number; spread: number; move: number; v?: number }>(rows: readonly R[]) {
  const close = rows.map((r) => r.o * (1 + r.move));
  return {
    open: rows.map((r) => r.o),
    close,
    high: rows.map((r, i) => Math.max(r.o, close[i]!) * (1 + r.spread)),
    low: rows.map((r, i) => Math.min(r.o, close[i]!) / (1 + r.spread)),
    volume: rows.map((r) => r.v ?? Number.NaN),
  };
}

/**
 * A seeded random walk of daily bars for some symbols (opens near the last close, closes within
 * 2% of the open, constant volume): the same bars for the same seed, for engine and strategy tests.
 */
export function randomWalkBars(seed: number, T: number, symbols: string[]): MarketData {
  let x = seed;
  const rand = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 4294967296;
  const series = symbols.map(() => {
    const open = new Float64Array(T);
    const close = new Float64Array(T);
    let p = 100;
    for (let t = 0; t < T; t++) {
      open[t] = p * (1 + (rand() - 0.5) * 0.01);
      p = open[t]! * (1 + (rand() - 0.5) * 0.04);
      close[t] = p;
    }
    return { open, close };
  });
  return {
    dates: Array.from({ length: T }, (_, t) => new Date(Date.UTC(2020, 0, 1 + t)).toISOString().slice(0, 10)),
    symbols,
    open: series.map((s) => s.open),
    close: series.map((s) => s.close),
    volume: symbols.map(() => new Float64Array(T).fill(1e7)),
  };
}
