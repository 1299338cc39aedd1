import { z } from 'zod';
import { rollingOls } from '../src/math/rolling-regression.js';
import { defineStrategy } from '../src/strategy/define-strategy.js';

/**
 * Mean reversion of a pair's spread. The hedge ratio is the slope of a least-squares fit of the
 * first symbol's log close on the second's over the trailing `lookback` bars (the past and the
 * decision's bar only); the spread is the fit's residual and its z-score the residual over the
 * window's residual deviation. Below -entry_z it buys the spread (long the first, short
 * hedge-ratio times as much of the second), above entry_z it sells it, and it closes the
 * position once z is back within exit_z of zero from its side, or beyond it (or past stop_z, where
 * the pair may have broken). The
 * legs' weights are fixed at entry (gross `gross`, split 1 : |beta|) and held until the exit.
 */
export default defineStrategy({
  name: 'pairs_mean_reversion',
  version: 1,
  description: "a pair's spread traded back to its mean: hedge ratio and z-score on the trailing window",
  config: z
    .object({
      lookback: z.number().int().min(10).default(60),
      entry_z: z.number().positive().default(2),
      exit_z: z.number().min(0).default(0.5),
      /** An open position is closed beyond this |z| too (0: never). */
      stop_z: z.number().min(0).default(0),
      gross: z.number().positive().max(2).default(1),
    })
    .strict()
    .refine((c) => c.exit_z < c.entry_z, { message: 'exit_z must be below entry_z' })
    .refine((c) => c.stop_z === 0 || c.stop_z > c.entry_z, { message: 'stop_z must be above entry_z (or 0)' }),
  warmup: (c) => c.lookback,
  weights: (panel, c) => {
    if (panel.symbols.length !== 2)
      throw new Error(
        `a pair is two symbols; this backtest trades ${panel.symbols.length} (${panel.symbols.join(', ')}): list two under symbols:`,
      );
    const T = panel.dates.length;
    const logOf = (s: number) => Float64Array.from(panel.close[s]!, (p) => (p > 0 ? Math.log(p) : Number.NaN));
    const fit = rollingOls(logOf(0), logOf(1), c.lookback);
    const weights = [new Float64Array(T), new Float64Array(T)] as const;
    const rebalance = new Uint8Array(T);
    let side = 0; // +1 long the spread, -1 short it
    let legs: [number, number] = [0, 0];
    for (let t = 0; t < T; t++) {
      const z = fit.residual[t]! / fit.residualStd[t]!;
      let next = side;
      if (!Number.isFinite(z)) next = 0;
      else if (side === 0 && Math.abs(z) >= c.entry_z) next = z > 0 ? -1 : 1;
      // Reverted: z came back inside exit_z from the side it entered on (or went through to the other).
      else if (side !== 0 && (side * z >= -c.exit_z || (c.stop_z > 0 && Math.abs(z) >= c.stop_z))) next = 0;
      if (next !== side || t === 0) {
        rebalance[t] = 1;
        if (next !== 0) {
          const beta = fit.beta[t]!;
          const scale = c.gross / (1 + Math.abs(beta));
          legs = [next * scale, -next * beta * scale];
        } else legs = [0, 0];
        side = next;
      }
      weights[0][t] = legs[0];
      weights[1][t] = legs[1];
    }
    return { weights: [...weights], rebalance };
  },
});
