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
