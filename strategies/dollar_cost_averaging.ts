import { z } from 'zod';
import { defineStrategy } from '../src/strategy/define-strategy.js';

/**
 * Dollar-cost averaging (the first family of the Research→Live framework): every `every` bars,
 * spend `budget_share` of the starting cash on the symbols, split equally, whatever the price,
 * until the cash runs out. Never sells. Event-driven: what it buys depends on the cash it has.
 */
export default defineStrategy({
  name: 'dollar_cost_averaging',
  version: 1,
  description: 'a fixed share of the starting cash invested every `every` bars',
  config: z
    .object({
      every: z.number().int().min(1).default(21),
      /** The share of the starting cash each purchase spends (1/60: five years of monthly buys). */
      budget_share: z
        .number()
        .gt(0)
        .max(1)
        .default(1 / 60),
    })
    .strict(),
  start: (c, symbols) => {
    let startingCash = Number.NaN;
    return {
      onBar(ctx) {
        if (ctx.t === 0) startingCash = ctx.cash;
        if (ctx.t % c.every !== 0) return;
        // What is still owed to the broker for open orders is not spendable: wait for them.
        if (ctx.openOrders() > 0) return;
        const spend = Math.min(startingCash * c.budget_share, ctx.cash);
        if (!(spend > 0)) return;
        const trading = symbols.filter((s) => Number.isFinite(ctx.close(s)));
        for (const s of trading) ctx.order(s, spend / trading.length / ctx.close(s));
      },
    };
  },
});
