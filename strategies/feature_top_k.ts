import { join } from 'node:path';
import { z } from 'zod';
import { loadKnowableFeatureColumn } from '../src/evaluation/load-feature-columns.js';
import { defineStrategy } from '../src/strategy/define-strategy.js';

/**
 * Long the `top` symbols ranked by a column of a feature set (a score: a factor, a model's
 * prediction), equal weight, re-ranked every `every` bars and held in between: Qlib's top-k
 * strategy on a signal. A symbol is ranked on a bar only with a value of that bar's date that
 * was knowable by its close; ties go to the symbol that sorts first. The feature set is data the
 * strategy declares: a config binds it, `data: {features: //features/<set>}`, and it becomes a
 * dep of whatever runs the strategy, so a change to the feature set rebuilds what it fed.
 */
export default defineStrategy({
  name: 'feature_top_k',
  version: 1,
  description: 'long the top symbols by a feature column, equal weight, re-ranked every few bars',
  config: z
    .object({
      /** The column of the feature set to rank by. */
      column: z.string().min(1),
      top: z.number().int().min(1),
      /** Re-rank every this many bars (1: every bar). */
      every: z.number().int().min(1).default(1),
      /** Rank the highest values first (false: the lowest, as for a volatility). */
      descending: z.boolean().default(true),
    })
    .strict(),
  data: { features: 'a feature set (the features rule) that has the ranking column' },
  prepare: (c, data) => loadKnowableFeatureColumn(join(data.features!, 'features'), c.column),
  weights: (panel, c, scores) => {
    const S = panel.symbols.length;
    const T = panel.dates.length;
    const weights = panel.symbols.map(() => new Float64Array(T));
    const rebalance = Uint8Array.from({ length: T }, (_, t) => (t % c.every === 0 ? 1 : 0));
    const sign = c.descending ? -1 : 1;
    for (let t = 0; t < T; t++) {
      if (!rebalance[t]) continue;
      const date = panel.dates[t]!;
      const ranked: { s: number; score: number }[] = [];
      for (let s = 0; s < S; s++) {
        const score = scores.get(panel.symbols[s]!)?.get(date);
        if (score !== undefined && Number.isFinite(panel.close[s]![t]!)) ranked.push({ s, score });
      }
      ranked.sort((a, b) => sign * (a.score - b.score) || a.s - b.s);
      const chosen = ranked.slice(0, c.top);
      for (const { s } of chosen) weights[s]![t] = 1 / Math.max(c.top, 1);
    }
    return { weights, rebalance };
  },
});
