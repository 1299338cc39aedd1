import { z } from 'zod';
import { sma } from '../src/features/indicators.js';
import { defineStrategy } from '../src/strategy/define-strategy.js';

/**
 * Long (1 / number of symbols) while the fast simple moving average of the close is above the
 * slow one, flat otherwise and before the slow average has a value. Decided on each close.
 */
export default defineStrategy({
  name: 'sma_crossover',
  version: 1,
  description: 'long while the fast moving average is above the slow one',
  config: z
    .object({ fast: z.number().int().min(1), slow: z.number().int().min(2) })
    .strict()
    .refine((s) => s.fast < s.slow, { message: 'fast must be shorter than slow' }),
  warmup: (c) => c.slow,
  weights: (panel, c) =>
    panel.close.map((close) => {
      const closes = [...close];
      const fast = sma(closes, c.fast);
      const slow = sma(closes, c.slow);
      return Float64Array.from(closes, (_, t) =>
        Number.isNaN(slow[t]!) ? 0 : fast[t]! > slow[t]! ? 1 / panel.symbols.length : 0,
      );
    }),
});
