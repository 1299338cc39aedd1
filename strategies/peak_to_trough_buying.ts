import { z } from 'zod';
import { defineStrategy } from '../src/strategy/define-strategy.js';

/**
 * Peak-to-trough drawdown buying (the third family of the Research→Live framework): from each
 * peak of a symbol's close (its highest close so far), buy a tranche of `budget_share` of the
 * starting cash the first time the drawdown from that peak reaches each of `levels`; a new peak
 * re-arms every level. Never sells. The peak is of the closes seen so far, never a later one.
 */
export default defineStrategy({
  name: 'peak_to_trough_buying',
  version: 1,
  description: 'buys a tranche at each drawdown level from the last peak',
  config: z
    .object({
      /** Drawdowns from the peak that each trigger one purchase, ascending (0.1: 10% below it). */
      levels: z
        .array(z.number().gt(0).lt(1))
        .min(1)
        .default([0.1, 0.2, 0.3])
        .refine((xs) => xs.every((x, i) => i === 0 || x > xs[i - 1]!), { message: 'levels must be ascending' }),
      /** The share of the starting cash one tranche spends, split among the symbols that reach a level. */
      budget_share: z.number().gt(0).max(1).default(0.2),
    })
    .strict(),
  start: (c, symbols) => {
    let startingCash = Number.NaN;
    const peak = new Map<string, number>();
    /** Levels already bought since each symbol's last peak. */
    const bought = new Map<string, number>(symbols.map((s) => [s, 0]));
    return {
      onBar(ctx) {
        if (Number.isNaN(startingCash)) startingCash = ctx.cash;
        const due: string[] = [];
        for (const s of symbols) {
          const close = ctx.close(s);
          if (!Number.isFinite(close)) continue;
          if (close > (peak.get(s) ?? Number.NEGATIVE_INFINITY)) {
            peak.set(s, close);
            bought.set(s, 0);
            continue;
          }
          const drawdown = 1 - close / peak.get(s)!;
          const reached = c.levels.filter((level) => drawdown >= level).length;
          if (reached > bought.get(s)!) {
            bought.set(s, reached);
            due.push(s);
          }
        }
        const spend = Math.min(startingCash * c.budget_share, ctx.cash);
        if (due.length === 0 || !(spend > 0)) return;
        for (const s of due) ctx.order(s, spend / due.length / ctx.close(s));
      },
    };
  },
});
