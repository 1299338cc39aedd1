import { z } from 'zod';
import { bollinger, macd, rsi } from '../src/features/indicators.js';
import { defineStrategy } from '../src/strategy/define-strategy.js';

/**
 * A vote of three indicator signals per symbol on each close (the Master Plan's Level 1
 * composite): RSI (oversold +1, overbought -1), the MACD line against its signal line (above
 * +1, below -1) and a Bollinger breakout (a close above the upper band +1, below the lower -1).
 * An indicator without a value yet does not vote. A symbol is held (1 / number of symbols)
 * while at least `min_votes` votes are for it, and, with `short`, sold short while at least
 * that many are against it; otherwise it is flat.
 */
export default defineStrategy({
  name: 'indicator_vote',
  version: 1,
  description: 'long (or short) while enough of RSI, MACD and Bollinger signals agree',
  config: z
    .object({
      rsi: z
        .object({
          window: z.number().int().min(2).default(14),
          oversold: z.number().min(0).max(100).default(30),
          overbought: z.number().min(0).max(100).default(70),
        })
        .strict()
        .refine((r) => r.oversold < r.overbought, { message: 'oversold must be below overbought' })
        .prefault({}),
      macd: z
        .object({
          fast: z.number().int().min(1).default(12),
          slow: z.number().int().min(2).default(26),
          signal: z.number().int().min(1).default(9),
        })
        .strict()
        .refine((m) => m.fast < m.slow, { message: 'fast must be shorter than slow' })
        .prefault({}),
      bollinger: z
        .object({ window: z.number().int().min(2).default(20), k: z.number().positive().default(2) })
        .strict()
        .prefault({}),
      /** How many of the three votes must agree. */
      min_votes: z.number().int().min(1).max(3).default(2),
      short: z.boolean().default(false),
    })
    .strict(),
  warmup: (c) => Math.max(c.rsi.window + 1, c.macd.slow + c.macd.signal, c.bollinger.window),
  weights: (panel, c) => {
    const S = panel.symbols.length;
    return panel.close.map((closeArray) => {
      const close = [...closeArray];
      const r = rsi(close, c.rsi.window);
      const m = macd(close, c.macd.fast, c.macd.slow, c.macd.signal);
      const b = bollinger(close, c.bollinger.window, c.bollinger.k);
      return Float64Array.from(close, (price, t) => {
        const sign = (up: boolean, down: boolean) => (up ? 1 : down ? -1 : 0);
        const votes =
          sign(r[t]! < c.rsi.oversold, r[t]! > c.rsi.overbought) +
          sign(m.macd[t]! > m.signal[t]!, m.macd[t]! < m.signal[t]!) +
          sign(price > b.upper[t]!, price < b.lower[t]!);
        if (votes >= c.min_votes) return 1 / S;
        if (c.short && votes <= -c.min_votes) return -1 / S;
        return 0;
      });
    });
  },
});
