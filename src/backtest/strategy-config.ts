import { z } from 'zod';
import { buyAndHold, crossSectionalMomentum, equalWeight, smaCrossover } from './baselines.js';
import type { MarketData } from './market-data.js';

/** The strategies a backtest target can name in its config: the baselines every result is compared against. */
export const strategySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('buy_and_hold') }).strict(),
  z.object({ kind: z.literal('equal_weight'), every: z.number().int().min(1).default(21) }).strict(),
  z
    .object({ kind: z.literal('sma_crossover'), fast: z.number().int().min(1), slow: z.number().int().min(2) })
    .strict()
    .refine((s) => s.fast < s.slow, { message: 'fast must be shorter than slow' }),
  z
    .object({
      kind: z.literal('momentum'),
      lookback: z.number().int().min(2).default(252),
      skip: z.number().int().min(0).default(21),
      top: z.number().gt(0).max(1).default(0.3),
      every: z.number().int().min(1).default(21),
    })
    .strict()
    .refine((s) => s.lookback > s.skip, { message: 'lookback must be longer than skip' }),
]);

export type StrategyConfig = z.infer<typeof strategySchema>;

/** The strategy's target weights over the data: weights[s][t], decided on bar t's close. */
export function strategyWeights(strategy: StrategyConfig, data: MarketData): Float64Array[] {
  switch (strategy.kind) {
    case 'buy_and_hold':
      return buyAndHold(data);
    case 'equal_weight':
      return equalWeight(data, strategy.every);
    case 'sma_crossover':
      return smaCrossover(data, strategy.fast, strategy.slow);
    case 'momentum':
      return crossSectionalMomentum(data, strategy);
  }
}

/**
 * Keeps a weight only on the bars where it differs from the strategy's previous decision (NaN
 * elsewhere: hold). A strategy read this way trades on its signal's changes, not on every bar's
 * drift back to target, and a stop-loss exit stays flat until the signal changes again.
 */
export function onChangesOnly(weights: readonly Float64Array[]): Float64Array[] {
  return weights.map((w) => {
    const out = new Float64Array(w.length).fill(Number.NaN);
    let last = Number.NaN;
    for (let t = 0; t < w.length; t++) {
      if (Number.isNaN(w[t]!)) continue;
      if (w[t] !== last) out[t] = w[t]!;
      last = w[t]!;
    }
    return out;
  });
}
