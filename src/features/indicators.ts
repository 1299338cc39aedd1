/**
 * Technical indicators over one symbol's series, as the R TTR package defines them, so that
 * values match TTR to 1e-9 (tests/fixtures/reference/README.md has the definitions). Every
 * function returns an array as long as its input, with NaN until its window is full. Each
 * value at t reads only inputs at or before t.
 */
export type Series = readonly number[];

function nans(n: number): number[] {
  return new Array<number>(n).fill(Number.NaN);
}

/** Index of the first non-NaN value, or the length when there is none. */
function firstValid(x: Series): number {
  let i = 0;
  while (i < x.length && Number.isNaN(x[i]!)) i++;
  return i;
}

/** Simple moving average over n values. */
export function sma(x: Series, n: number): number[] {
  const out = nans(x.length);
  const start = firstValid(x);
  let sum = 0;
  for (let i = start; i < x.length; i++) {
    sum += x[i]!;
    if (i - start >= n) sum -= x[i - n]!;
    if (i - start >= n - 1) out[i] = sum / n;
  }
  return out;
}

/**
 * Exponential moving average seeded with the SMA of the first n values (TTR's EMA):
 * alpha = 2/(n+1), or 1/n with Wilder's smoothing. Leading NaNs are skipped.
 */
export function ema(x: Series, n: number, wilder = false): number[] {
  const out = nans(x.length);
  const alpha = wilder ? 1 / n : 2 / (n + 1);
  const start = firstValid(x);
  if (x.length - start < n) return out;
  let sum = 0;
  for (let i = start; i < start + n; i++) sum += x[i]!;
  let value = sum / n;
  out[start + n - 1] = value;
  for (let i = start + n; i < x.length; i++) {
    value = alpha * x[i]! + (1 - alpha) * value;
    out[i] = value;
  }
  return out;
}

/** Relative strength index with Wilder's smoothing of gains and losses. */
export function rsi(close: Series, n: number): number[] {
  const up = nans(close.length);
  const down = nans(close.length);
  for (let i = 1; i < close.length; i++) {
    const d = close[i]! - close[i - 1]!;
    up[i] = d > 0 ? d : 0;
    down[i] = d < 0 ? -d : 0;
  }
  const u = ema(up, n, true);
  const dn = ema(down, n, true);
  return u.map((a, i) => (Number.isNaN(a) ? Number.NaN : (100 * a) / (a + dn[i]!)));
}

/** True range: the greater of high and the previous close, less the smaller of low and the previous close. */
export function trueRange(high: Series, low: Series, close: Series): number[] {
  const out = nans(close.length);
  for (let i = 1; i < close.length; i++) out[i] = Math.max(high[i]!, close[i - 1]!) - Math.min(low[i]!, close[i - 1]!);
  return out;
}

/** Average true range: Wilder's smoothing of the true range. */
export function atr(high: Series, low: Series, close: Series, n: number): number[] {
  return ema(trueRange(high, low, close), n, true);
}

/** Bollinger bands: SMA ± k population standard deviations over n values. */
export function bollinger(close: Series, n: number, k: number): { lower: number[]; mid: number[]; upper: number[] } {
  const mid = sma(close, n);
  const lower = nans(close.length);
  const upper = nans(close.length);
  for (let i = n - 1; i < close.length; i++) {
    if (Number.isNaN(mid[i]!)) continue;
    let ss = 0;
    for (let j = i - n + 1; j <= i; j++) ss += (close[j]! - mid[i]!) ** 2;
    const sd = Math.sqrt(ss / n);
    lower[i] = mid[i]! - k * sd;
    upper[i] = mid[i]! + k * sd;
  }
  return { lower, mid, upper };
}

/** MACD in price units: EMA(fast) - EMA(slow), and its EMA(signal). */
export function macd(close: Series, fast: number, slow: number, signal: number): { macd: number[]; signal: number[] } {
  const f = ema(close, fast);
  const s = ema(close, slow);
  const line = f.map((v, i) => v - s[i]!);
  return { macd: line, signal: ema(line, signal) };
}

/** Log rate of change over n periods. */
export function rocLog(close: Series, n: number): number[] {
  const out = nans(close.length);
  for (let i = n; i < close.length; i++) out[i] = Math.log(close[i]! / close[i - n]!);
  return out;
}

/** Sample standard deviation over n values (NaN-free windows only). */
function runSd(x: Series, n: number): number[] {
  const out = nans(x.length);
  for (let i = n - 1; i < x.length; i++) {
    let mean = 0;
    let ok = true;
    for (let j = i - n + 1; j <= i; j++) {
      if (Number.isNaN(x[j]!)) ok = false;
      mean += x[j]!;
    }
    if (!ok) continue;
    mean /= n;
    let ss = 0;
    for (let j = i - n + 1; j <= i; j++) ss += (x[j]! - mean) ** 2;
    out[i] = Math.sqrt(ss / (n - 1));
  }
  return out;
}

function runSum(x: Series, n: number): number[] {
  const out = nans(x.length);
  for (let i = n - 1; i < x.length; i++) {
    let sum = 0;
    for (let j = i - n + 1; j <= i; j++) sum += x[j]!;
    out[i] = sum;
  }
  return out;
}

/** Close-to-close volatility: sample sd of log returns over n-1 returns, annualised (TTR's "close"). */
export function volClose(close: Series, n: number, periodsPerYear: number): number[] {
  const r = nans(close.length);
  for (let i = 1; i < close.length; i++) r[i] = Math.log(close[i]! / close[i - 1]!);
  return runSd(r, n - 1).map((s) => Math.sqrt(periodsPerYear) * s);
}

/** Parkinson's high-low volatility estimator (TTR's "parkinson"). */
export function volParkinson(high: Series, low: Series, n: number, periodsPerYear: number): number[] {
  const hl = high.map((h, i) => Math.log(h / low[i]!) ** 2);
  return runSum(hl, n).map((s) => Math.sqrt((periodsPerYear / (4 * n * Math.LN2)) * s));
}

/** Garman and Klass's OHLC volatility estimator (TTR's "garman.klass"). */
export function volGarmanKlass(
  open: Series,
  high: Series,
  low: Series,
  close: Series,
  n: number,
  periodsPerYear: number,
): number[] {
  const terms = close.map(
    (c, i) => 0.5 * Math.log(high[i]! / low[i]!) ** 2 - (2 * Math.LN2 - 1) * Math.log(c / open[i]!) ** 2,
  );
  return runSum(terms, n).map((s) => Math.sqrt((periodsPerYear / n) * s));
}
