import { z } from 'zod';
import { defineStrategy } from '../src/strategy/define-strategy.js';
import { equalWeights } from './equal_weight.js';

/** Equal weights across the symbols trading on the first bar, then held: the baseline every result is compared against. */
export default defineStrategy({
  name: 'buy_and_hold',
  version: 1,
  description: 'equal weights on the first bar, then held',
  config: z.object({}).strict(),
  weights: (panel) => equalWeights(panel, Math.max(1, panel.dates.length)),
});
