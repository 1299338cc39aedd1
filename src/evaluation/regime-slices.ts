import { z } from 'zod';
import { performanceMetrics, type PerformanceMetrics } from './performance-metrics.js';
import { targetLabelSchema } from '../data/schemas/target-label.js';

const conditionSchema = z
  .object({
    column: z.string().min(1),
    op: z.enum(['==', '!=', '<', '<=', '>', '>=']),
    value: z.number(),
  })
  .strict();

/** A declared regime: a name and conditions on regime feature columns that must all hold. */
export const regimeSliceSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'a slice name is lower_snake_case'),
    when: z.array(conditionSchema).min(1),
  })
  .strict();

export type RegimeSlice = z.infer<typeof regimeSliceSchema>;

/** Where the regimes come from and which slices to report (a backtest's or an experiment's `regimes:`). */
export const regimesSchema = z
  .object({ from: targetLabelSchema, symbol: z.string().min(1), slices: z.array(regimeSliceSchema).min(1) })
  .strict();

export type RegimesConfig = z.infer<typeof regimesSchema>;

/** The feature columns a regimes config reads, sorted. */
export function regimeColumns(r: RegimesConfig): string[] {
  return [...new Set(r.slices.flatMap((s) => s.when.map((w) => w.column)))].sort();
}
type Condition = z.infer<typeof conditionSchema>;

export interface RegimeSliceResult {
  name: string;
  when: Condition[];
  /** Returns that fell in the regime, and their share of all returns. */
  n_returns: number;
  share: number;
  /** Metrics of the regime's returns compounded in order (null under 2 returns). */
  metrics: PerformanceMetrics | null;
}

const holds = (c: Condition, x: number): boolean => {
  if (Number.isNaN(x)) return false; // an unknown regime is in no slice
  switch (c.op) {
    case '==':
      return x === c.value;
    case '!=':
      return x !== c.value;
    case '<':
      return x < c.value;
    case '<=':
      return x <= c.value;
    case '>':
      return x > c.value;
    case '>=':
      return x >= c.value;
  }
};

/**
 * Metrics per regime. The return from bar t-1 to bar t belongs to the regime in force at bar
 * t-1's close: the state known when the period began, so a slice never sorts returns by what
 * happened during them. `feature(column)` gives a regime column aligned to the equity's bars
 * (NaN where unknown); a slice's returns are compounded in order into its own value series.
 */
export function regimeSlices(
  equity: ArrayLike<number>,
  feature: (column: string) => ArrayLike<number>,
  slices: readonly RegimeSlice[],
  periodsPerYear: number,
): RegimeSliceResult[] {
  const total = equity.length - 1;
  return slices.map((slice) => {
    const columns = slice.when.map((c) => feature(c.column));
    const values = [1];
    for (let t = 1; t < equity.length; t++) {
      if (!slice.when.every((c, i) => holds(c, columns[i]![t - 1]!))) continue;
      values.push(values.at(-1)! * (equity[t]! / equity[t - 1]!));
    }
    const n = values.length - 1;
    return {
      name: slice.name,
      when: slice.when,
      n_returns: n,
      share: total > 0 ? n / total : 0,
      metrics: n >= 2 ? performanceMetrics(values, periodsPerYear) : null,
    };
  });
}

/**
 * evaluation/regime_slices.json of a backtest or experiment: the slices' metrics, which regime
 * features they came from, and the rule that assigns returns to regimes (no lookahead).
 */
export function regimeSlicesReport(regimes: RegimesConfig | undefined, slices: readonly RegimeSliceResult[] | null) {
  return regimes
    ? {
        from: regimes.from,
        symbol: regimes.symbol,
        rule: 'the return from bar t-1 to t belongs to the regime known at bar t-1',
        slices,
      }
    : { from: null, symbol: null, rule: 'no regimes declared in the config', slices: [] };
}
