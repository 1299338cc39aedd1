import { z } from 'zod';
import { panelAtr } from './panel-atr.js';
import { sampleStd } from '../math/statistics.js';
import type { BarPanel } from './bar-panel.js';

/**
 * How a vectorized strategy's decisions become positions (a config's `sizing:`, beside its
 * `strategy:`). The strategy's weight on a decision bar is its signal: its sign is the side,
 * and (for target_weights and volatility_target) its size is scaled from it. Every estimate a
 * size uses (ATR, realized volatility, the strategy's own round trips) is computed from bars at
 * or before the decision: sizing never reads the future.
 */
export const sizingSchema = z.discriminatedUnion('kind', [
  /** The strategy's weights as they are. */
  z.object({ kind: z.literal('target_weights') }).strict(),
  /** A fixed amount of currency per position, on the signal's side (its size ignored). */
  z.object({ kind: z.literal('fixed_notional'), notional: z.number().positive() }).strict(),
  /**
   * Risk `risk_fraction` of equity per position, given the distance to its stop: `percent` of the
   * price, or `atr_multiple` times the ATR over `window` bars. The weight is risk_fraction x
   * price / distance (a wider stop, a smaller position).
   */
  z
    .object({
      kind: z.literal('fixed_fractional'),
      risk_fraction: z.number().positive().max(1),
      stop: z
        .object({
          percent: z.number().positive().max(1).optional(),
          atr_multiple: z.number().positive().optional(),
          window: z.number().int().min(2).default(14),
        })
        .strict()
        .refine((s) => (s.percent === undefined) !== (s.atr_multiple === undefined), {
          message: 'give exactly one of percent or atr_multiple',
        }),
    })
    .strict(),
  /**
   * The signal's weight scaled so the position's annualised volatility is `annual_vol`: by the
   * realized volatility of log returns over `window` bars, or by the ATR over `window` bars as a
   * share of the price.
   */
  z
    .object({
      kind: z.literal('volatility_target'),
      annual_vol: z.number().positive(),
      estimator: z.enum(['realized', 'atr']).default('realized'),
      window: z.number().int().min(2).default(20),
      periods_per_year: z.number().positive().default(252),
    })
    .strict(),
  /**
   * Kelly's fraction of equity on the signal's side, from the strategy's own round trips (a
   * signal held from a change of side to the next, entered and left at the deciding closes)
   * that closed at or before the decision: f* = W - (1 - W) / R, W the share of winners, R the
   * mean win over the mean loss; `fraction` of it (1: full Kelly, 0.5: half). Until `min_trades`
   * trips have closed the position is flat; f* below zero is flat too.
   */
  z
    .object({
      kind: z.literal('kelly'),
      fraction: z.number().positive().max(1).default(0.5),
      min_trades: z.number().int().min(1).default(20),
      /** The largest weight one symbol may take, whatever f* says. */
      max_weight: z.number().positive().default(1),
    })
    .strict(),
]);

export type Sizing = z.infer<typeof sizingSchema>;

/** Decisions in the engines' form (NaN: keep the position), as weights of equity or as currency amounts. */
export interface SizedDecisions {
  readonly values: Float64Array[];
  readonly unit: 'weight' | 'notional';
}

/**
 * Sizes checked decisions (weights[s][t] on decision bars, NaN elsewhere). Weights are scaled
 * down together on a bar whose gross weight would pass `maxLeverage`.
 */
export function sizeDecisions(
  panel: BarPanel,
  decisions: readonly Float64Array[],
  sizing: Sizing,
  maxLeverage: number,
): SizedDecisions {
  if (sizing.kind === 'target_weights') return { values: [...decisions], unit: 'weight' };
  const S = decisions.length;
  const T = panel.dates.length;
  const out = Array.from({ length: S }, () => new Float64Array(T).fill(Number.NaN));
  if (sizing.kind === 'fixed_notional') {
    for (let s = 0; s < S; s++)
      for (let t = 0; t < T; t++) {
        const w = decisions[s]![t]!;
        if (!Number.isNaN(w)) out[s]![t] = Math.sign(w) * sizing.notional;
      }
    return { values: out, unit: 'notional' };
  }
  const weightOf = weightSizer(panel, decisions, sizing);
  for (let t = 0; t < T; t++) {
    let gross = 0;
    for (let s = 0; s < S; s++) {
      const w = decisions[s]![t]!;
      if (Number.isNaN(w)) continue;
      const sized = w === 0 ? 0 : weightOf(s, t, w);
      out[s]![t] = Number.isFinite(sized) ? sized : 0;
      gross += Math.abs(out[s]![t]!);
    }
    if (gross > maxLeverage)
      for (let s = 0; s < S; s++) if (!Number.isNaN(out[s]![t]!)) out[s]![t] = (out[s]![t]! * maxLeverage) / gross;
  }
  return { values: out, unit: 'weight' };
}

type WeightSizing = Exclude<Sizing, { kind: 'target_weights' } | { kind: 'fixed_notional' }>;

/** The size of one decision (symbol s, bar t, signal w != 0) as a weight; NaN or infinite: flat. */
function weightSizer(
  panel: BarPanel,
  decisions: readonly Float64Array[],
  sizing: WeightSizing,
): (s: number, t: number, w: number) => number {
  const atrOf = (s: number, window: number) => panelAtr(panel, s, window);
  if (sizing.kind === 'fixed_fractional') {
    const { percent, atr_multiple, window } = sizing.stop;
    const atrs = atr_multiple !== undefined ? decisions.map((_, s) => atrOf(s, window)) : null;
    return (s, t, w) => {
      const price = panel.close[s]![t]!;
      const distance = atrs ? atr_multiple! * atrs[s]![t]! : percent! * price;
      return (Math.sign(w) * sizing.risk_fraction * price) / distance;
    };
  }
  if (sizing.kind === 'volatility_target') {
    const vols = decisions.map((_, s) => annualVolatility(panel, s, sizing, atrOf));
    return (s, t, w) => (w * sizing.annual_vol) / vols[s]![t]!;
  }
  const kelly = kellyFractions(panel, decisions, sizing.min_trades);
  return (_s, t, w) => Math.sign(w) * Math.min(sizing.max_weight, sizing.fraction * Math.max(0, kelly[t]!));
}

/** Annualised volatility per bar from the trailing `window` bars (NaN until there are enough). */
function annualVolatility(
  panel: BarPanel,
  s: number,
  sizing: Extract<Sizing, { kind: 'volatility_target' }>,
  atrOf: (s: number, window: number) => number[],
): Float64Array {
  const T = panel.dates.length;
  const out = new Float64Array(T).fill(Number.NaN);
  const c = panel.close[s]!;
  const scale = Math.sqrt(sizing.periods_per_year);
  if (sizing.estimator === 'atr') {
    const a = atrOf(s, sizing.window);
    for (let t = 0; t < T; t++) out[t] = (a[t]! / c[t]!) * scale;
    return out;
  }
  const logReturns = new Float64Array(T).fill(Number.NaN);
  for (let t = 1; t < T; t++) logReturns[t] = Math.log(c[t]! / c[t - 1]!);
  for (let t = sizing.window; t < T; t++) out[t] = sampleStd(logReturns, t - sizing.window + 1, t + 1) * scale;
  return out;
}

/**
 * Kelly's f* on each bar from the round trips of the strategy's signal that closed at or before
 * it, pooled over its symbols; NaN before `minTrades` have closed. A trip opens on a decision
 * that changes the signal's side (from flat or the other side) at that bar's close and closes
 * on the next such change, at that bar's close.
 */
export function kellyFractions(panel: BarPanel, decisions: readonly Float64Array[], minTrades: number): Float64Array {
  const T = panel.dates.length;
  const closedAt: number[][] = Array.from({ length: T }, () => []);
  decisions.forEach((signal, s) => {
    let side = 0;
    let entry = Number.NaN;
    for (let t = 0; t < T; t++) {
      const w = signal[t]!;
      if (Number.isNaN(w)) continue;
      const next = Math.sign(w);
      if (next === side) continue;
      const price = panel.close[s]![t]!;
      if (side !== 0 && Number.isFinite(entry) && Number.isFinite(price)) closedAt[t]!.push(side * (price / entry - 1));
      side = next;
      entry = price;
    }
  });
  const out = new Float64Array(T).fill(Number.NaN);
  let trips = 0;
  let wins = 0;
  let winSum = 0;
  let lossSum = 0;
  for (let t = 0; t < T; t++) {
    for (const r of closedAt[t]!) {
      trips++;
      if (r > 0) {
        wins++;
        winSum += r;
      } else lossSum += -r;
    }
    if (trips < minTrades) continue;
    const W = wins / trips;
    const losses = trips - wins;
    if (wins === 0) out[t] = 0;
    else if (losses === 0 || lossSum === 0) out[t] = 1;
    else out[t] = W - (1 - W) / (winSum / wins / (lossSum / losses));
  }
  return out;
}

/**
 * Bars of history a sizing reads before its first size: a volatility over `window` returns
 * needs window + 1 closes, an ATR over `window` bars window + 1 (its true ranges reach back a
 * close). Kelly learns from the round trips in whatever history it is given: none is required.
 */
export function sizingWarmup(sizing: Sizing | undefined): number {
  if (sizing?.kind === 'volatility_target') return sizing.window + 1;
  if (sizing?.kind === 'fixed_fractional' && sizing.stop.atr_multiple !== undefined) return sizing.stop.window + 1;
  return 0;
}
