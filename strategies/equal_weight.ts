import { z } from 'zod';
import { defineStrategy, type BarPanel } from '../src/strategy/define-strategy.js';

/** Equal weights across the symbols with a close that day, reset every `every` bars and held (drifting) between. */
export function equalWeights(panel: BarPanel, every: number) {
  const T = panel.dates.length;
  const weights = panel.symbols.map(() => new Float64Array(T));
  const rebalance = new Uint8Array(T);
  for (let t = 0; t < T; t += every) {
    rebalance[t] = 1;
    const trading = (s: number) => !Number.isNaN(panel.close[s]![t]!);
    const live = panel.symbols.filter((_, s) => trading(s)).length;
    for (let s = 0; s < panel.symbols.length; s++) weights[s]![t] = trading(s) ? 1 / live : 0;
  }
  return { weights, rebalance };
}

export default defineStrategy({
  name: 'equal_weight',
  version: 1,
  description: 'equal weights across the symbols trading, rebalanced every `every` bars',
  config: z.object({ every: z.number().int().min(1).default(21) }).strict(),
  weights: (panel, c) => equalWeights(panel, c.every),
});
