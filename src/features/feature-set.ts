import { z } from 'zod';
import * as ind from './indicators.js';
import * as micro from './microstructure.js';
import * as regime from './regime.js';

/**
 * A feature set contract (configs/features/*.yaml): a name, a version, and features, each with
 * its function and parameters. The functions here are per symbol over its bars in date order.
 */
const window = z.number().int().min(1);
const periodsPerYear = z.number().positive().default(252);

export const featureSchema = z.discriminatedUnion('kind', [
  z.object({ name: z.string(), kind: z.literal('return_simple'), horizon: window.default(1) }).strict(),
  z.object({ name: z.string(), kind: z.literal('return_log'), horizon: window.default(1) }).strict(),
  z.object({ name: z.string(), kind: z.literal('sma'), window }).strict(),
  z.object({ name: z.string(), kind: z.literal('ema'), window }).strict(),
  z.object({ name: z.string(), kind: z.literal('rsi'), window }).strict(),
  z.object({ name: z.string(), kind: z.literal('true_range') }).strict(),
  z.object({ name: z.string(), kind: z.literal('atr'), window }).strict(),
  z.object({ name: z.string(), kind: z.literal('bollinger'), window, k: z.number().positive().default(2) }).strict(),
  z
    .object({
      name: z.string(),
      kind: z.literal('macd'),
      fast: window.default(12),
      slow: window.default(26),
      signal: window.default(9),
    })
    .strict(),
  z.object({ name: z.string(), kind: z.literal('roc_log'), window }).strict(),
  z.object({ name: z.string(), kind: z.literal('vol_close'), window, periods_per_year: periodsPerYear }).strict(),
  z.object({ name: z.string(), kind: z.literal('vol_parkinson'), window, periods_per_year: periodsPerYear }).strict(),
  z
    .object({ name: z.string(), kind: z.literal('vol_garman_klass'), window, periods_per_year: periodsPerYear })
    .strict(),
  z.object({ name: z.string(), kind: z.literal('cs_rank'), of: z.string() }).strict(),
  z.object({ name: z.string(), kind: z.literal('cs_zscore'), of: z.string() }).strict(),
  z.object({ name: z.string(), kind: z.literal('cs_demean'), of: z.string() }).strict(),
  z.object({ name: z.string(), kind: z.literal('amihud'), window }).strict(),
  z.object({ name: z.string(), kind: z.literal('dollar_volume'), window: window.default(1) }).strict(),
  z.object({ name: z.string(), kind: z.literal('volume_zscore'), window }).strict(),
  z.object({ name: z.string(), kind: z.literal('hl_range') }).strict(),
  z
    .object({
      name: z.string(),
      kind: z.literal('volatility_regime'),
      window: window.default(20),
      lookback: window.default(252),
      periods_per_year: periodsPerYear,
    })
    .strict(),
  z.object({ name: z.string(), kind: z.literal('trend_regime'), window: window.default(200) }).strict(),
  z.object({ name: z.string(), kind: z.literal('drawdown') }).strict(),
  z
    .object({
      name: z.string(),
      kind: z.literal('drawdown_state'),
      thresholds: z.tuple([z.number().positive(), z.number().positive()]).default([0.1, 0.2]),
    })
    .strict(),
]);

/** The fields of a feature set: a features target's config is these plus where it reads from. */
export const featureSetShape = {
  name: z.string().regex(/^[a-z][a-z0-9_]*$/),
  version: z.number().int().min(1),
  description: z.string().optional(),
  /** Shift every feature by this many bars (1: a value for day t uses data up to t-1). */
  lag: z.number().int().min(0).default(0),
  features: z.array(featureSchema).min(1),
};

export const featureSetSchema = z.object(featureSetShape).strict().superRefine(checkFeatureSet);

/** The checks across features: no column produced twice, cross-sectional features of this set's columns. */
export function checkFeatureSet(
  set: { features: readonly z.infer<typeof featureSchema>[] },
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<string>();
  set.features.forEach((f, i) => {
    for (const column of columnsOf(f)) {
      if (seen.has(column))
        ctx.addIssue({
          code: 'custom',
          path: ['features', i, 'name'],
          message: `column '${column}' is produced twice`,
        });
      seen.add(column);
    }
  });
  set.features.forEach((f, i) => {
    if (isCrossSectional(f) && !set.features.some((g) => !isCrossSectional(g) && columnsOf(g).includes(f.of))) {
      ctx.addIssue({
        code: 'custom',
        path: ['features', i, 'of'],
        message: `'${f.of}' is not a per-symbol column of this set`,
      });
    }
  });
}

type CrossSectional = Extract<z.infer<typeof featureSchema>, { kind: 'cs_rank' | 'cs_zscore' | 'cs_demean' }>;

export function isCrossSectional(f: z.infer<typeof featureSchema>): f is CrossSectional {
  return f.kind === 'cs_rank' || f.kind === 'cs_zscore' || f.kind === 'cs_demean';
}

export type Feature = z.infer<typeof featureSchema>;
export type FeatureSet = z.infer<typeof featureSetSchema>;

export interface BarSeries {
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
}

/** The output columns of a feature: multi-output functions name theirs after the feature. */
export function columnsOf(f: Feature): string[] {
  if (f.kind === 'bollinger') return [`${f.name}_lower`, `${f.name}_mid`, `${f.name}_upper`];
  if (f.kind === 'macd') return [f.name, `${f.name}_signal`];
  return [f.name];
}

export function computeFeature(f: Feature, b: BarSeries): number[][] {
  switch (f.kind) {
    case 'return_simple':
      return [b.close.map((c, i) => (i >= f.horizon ? c / b.close[i - f.horizon]! - 1 : Number.NaN))];
    case 'return_log':
    case 'roc_log':
      return [ind.rocLog(b.close, f.kind === 'return_log' ? f.horizon : f.window)];
    case 'sma':
      return [ind.sma(b.close, f.window)];
    case 'ema':
      return [ind.ema(b.close, f.window)];
    case 'rsi':
      return [ind.rsi(b.close, f.window)];
    case 'true_range':
      return [ind.trueRange(b.high, b.low, b.close)];
    case 'atr':
      return [ind.atr(b.high, b.low, b.close, f.window)];
    case 'bollinger': {
      const bb = ind.bollinger(b.close, f.window, f.k);
      return [bb.lower, bb.mid, bb.upper];
    }
    case 'macd': {
      const m = ind.macd(b.close, f.fast, f.slow, f.signal);
      return [m.macd, m.signal];
    }
    case 'vol_close':
      return [ind.volClose(b.close, f.window, f.periods_per_year)];
    case 'vol_parkinson':
      return [ind.volParkinson(b.high, b.low, f.window, f.periods_per_year)];
    case 'vol_garman_klass':
      return [ind.volGarmanKlass(b.open, b.high, b.low, b.close, f.window, f.periods_per_year)];
    case 'cs_rank':
    case 'cs_zscore':
    case 'cs_demean':
      throw new Error(
        `${f.name}: cross-sectional features are computed across symbols (crossSectional), not per symbol`,
      );
    case 'amihud':
      return [micro.amihud(b.close, b.volume, f.window)];
    case 'dollar_volume':
      return [ind.sma(micro.dollarVolume(b.close, b.volume), f.window)];
    case 'volume_zscore':
      return [micro.volumeZscore(b.volume, f.window)];
    case 'hl_range':
      return [micro.highLowRange(b.high, b.low, b.close)];
    case 'volatility_regime':
      return [regime.volatilityRegime(b.close, f.window, f.lookback, f.periods_per_year)];
    case 'trend_regime':
      return [regime.trendRegime(b.close, f.window)];
    case 'drawdown':
      return [regime.drawdown(b.close)];
    case 'drawdown_state':
      return [regime.drawdownState(b.close, f.thresholds)];
  }
}

/** The per-symbol columns of a set for one symbol's bars, lagged as the contract says. */
export function computeFeatureSet(set: FeatureSet, bars: BarSeries): { columns: string[]; values: number[][] } {
  const columns: string[] = [];
  const values: number[][] = [];
  for (const f of set.features.filter((g) => !isCrossSectional(g))) {
    columns.push(...columnsOf(f));
    values.push(...computeFeature(f, bars));
  }
  if (set.lag > 0)
    for (let k = 0; k < values.length; k++)
      values[k] = [...new Array<number>(set.lag).fill(Number.NaN), ...values[k]!.slice(0, -set.lag)];
  return { columns, values };
}

/** The cross-sectional columns of a set, in order. */
export function crossSectionalColumns(set: FeatureSet): string[] {
  return set.features.filter(isCrossSectional).map((f) => f.name);
}

/**
 * Cross-sectional features: for each date, across the symbols that have the source column
 * that day, the percentile rank (0 to 1), the z-score (population sd), or the value less the
 * day's mean. They use only that day's values, so they are as point-in-time as their source.
 * `dates[i]` is row i's date (rows of all symbols); `column(name)` gives a per-symbol column.
 */
export function crossSectional(
  set: FeatureSet,
  dates: readonly string[],
  column: (name: string) => ArrayLike<number>,
): number[][] {
  const byDate = new Map<string, number[]>();
  dates.forEach((d, i) => {
    const list = byDate.get(d);
    if (list) list.push(i);
    else byDate.set(d, [i]);
  });
  return set.features.filter(isCrossSectional).map((f) => {
    const source = column(f.of);
    const out = new Array<number>(dates.length).fill(Number.NaN);
    for (const indices of byDate.values()) {
      const present = indices.filter((i) => !Number.isNaN(source[i]!));
      if (present.length === 0) continue;
      let mean = 0;
      for (const i of present) mean += source[i]!;
      mean /= present.length;
      let ss = 0;
      for (const i of present) ss += (source[i]! - mean) ** 2;
      const sd = Math.sqrt(ss / present.length);
      // Rank: how many values of the day are strictly below, by binary search in the sorted values.
      const sorted = f.kind === 'cs_rank' ? Float64Array.from(present, (i) => source[i]!).sort() : undefined;
      for (const i of present) {
        const x = source[i]!;
        if (f.kind === 'cs_demean') out[i] = x - mean;
        else if (f.kind === 'cs_zscore') out[i] = sd > 0 ? (x - mean) / sd : 0;
        else out[i] = present.length === 1 ? 0.5 : countBelow(sorted!, x) / (present.length - 1);
      }
    }
    return out;
  });
}

function countBelow(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
