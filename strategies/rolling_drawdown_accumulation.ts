import { z } from 'zod';
import { defineStrategy } from '../src/strategy/define-strategy.js';

/**
 * Rolling drawdown accumulation (the second family of the Research→Live framework): whenever a
 * symbol closes more than `threshold` below its highest close of the last `window` bars, buy it
 * with `budget_share` of the starting cash (split among the symbols in such a drawdown), at most
 * once every `cooldown` bars, until the cash runs out. Never sells.
 */
export default defineStrategy({
  name: 'rolling_drawdown_accumulation',
  version: 1,
  description: 'buys a tranche whenever the price is a set share below its rolling high',
  config: z
    .object({
      /** Bars of the rolling high. */
      window: z.number().int().min(2).default(63),
      /** The drawdown from the rolling high that triggers a purchase (0.1: 10% below). */
      threshold: z.number().gt(0).lt(1).default(0.1),
      /** The share of the starting cash one purchase spends. */
      budget_share: z.number().gt(0).max(1).default(0.1),
      /** Bars to wait after a purchase before the next one. */
      cooldown: z.number().int().min(1).default(21),
    })
    .strict(),
  warmup: (c) => c.window,
  start: (c, symbols) => {
    let startingCash = Number.NaN;
    let lastBuy = Number.NEGATIVE_INFINITY;
    return {
      onBar(ctx) {
        if (Number.isNaN(startingCash)) startingCash = ctx.cash;
        if (ctx.t - lastBuy < c.cooldown || ctx.openOrders() > 0) return;
        const inDrawdown = symbols.filter((s) => {
          const close = ctx.close(s);
          let high = Number.NEGATIVE_INFINITY;
          for (let ago = 0; ago < c.window; ago++) {
            const x = ctx.close(s, ago);
            if (x > high) high = x;
          }
          return Number.isFinite(close) && high > 0 && close < high * (1 - c.threshold);
        });
        const spend = Math.min(startingCash * c.budget_share, ctx.cash);
        if (inDrawdown.length === 0 || !(spend > 0)) return;
        for (const s of inDrawdown) ctx.order(s, spend / inDrawdown.length / ctx.close(s));
        lastBuy = ctx.t;
      },
    };
  },
});
