import { z } from 'zod';
import { defineStrategy } from '../src/strategy/define-strategy.js';

/**
 * Cross-sectional momentum: every `every` bars, rank the symbols by their return from
 * `lookback` bars ago to `skip` bars ago (skipping the most recent bars' reversal), and hold
 * the top `top` share of them in equal weights until the next ranking.
 */
export default defineStrategy({
  name: 'momentum',
  version: 1,
  description: 'cross-sectional momentum: the top share by lookback return, equal weights',
  config: z
    .object({
      lookback: z.number().int().min(2).default(252),
      skip: z.number().int().min(0).default(21),
      top: z.number().gt(0).max(1).default(0.3),
      every: z.number().int().min(1).default(21),
    })
    .strict()
    .refine((s) => s.lookback > s.skip, { message: 'lookback must be longer than skip' }),
  warmup: (c) => c.lookback,
  weights: (panel, c) => {
    const T = panel.dates.length;
    const weights = panel.symbols.map(() => new Float64Array(T));
    const rebalance = new Uint8Array(T);
    for (let t = c.lookback; t < T; t += c.every) {
      rebalance[t] = 1;
      const scored = panel.symbols
        .map((_, s) => ({ s, r: panel.close[s]![t - c.skip]! / panel.close[s]![t - c.lookback]! - 1 }))
        .filter((x) => Number.isFinite(x.r))
        // Highest return first; ties by symbol order, so the choice never depends on sort stability.
        .sort((a, b) => b.r - a.r || a.s - b.s);
      const chosen = new Set(scored.slice(0, Math.max(1, Math.floor(scored.length * c.top))).map((x) => x.s));
      for (let s = 0; s < panel.symbols.length; s++) weights[s]![t] = chosen.has(s) ? 1 / chosen.size : 0;
    }
    return { weights, rebalance };
  },
});
