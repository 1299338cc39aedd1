import { join } from 'node:path';
import { z } from 'zod';
import { buildLabels, labelSetShape } from '../src/features/build-labels.js';
import { defineRule } from '../src/engine/rule-api.js';
import { inputDir } from './_inputs.js';
import { targetLabelSchema } from '../src/data/schemas/target-label.js';

/**
 * Forward-looking labels (forward returns, triple-barrier labels with their touch dates) over
 * canonical bars. Every label column is declared with the role 'label', so the engine refuses
 * any target that would consume one as a feature.
 */
export default defineRule({
  name: 'labels',
  version: 1,
  description: 'forward-looking labels over canonical bars (role: label)',
  config: z
    .object({ from: targetLabelSchema, writers: z.number().int().positive().default(2), ...labelSetShape })
    .strict(),
  inputs: (c) => [c.from],
  outputs: ['labels'],
  async run(ctx) {
    const { from, writers, ...set } = ctx.config;
    const r = await buildLabels(join(inputDir(ctx, from), 'equity_bars'), set, ctx.outDir, writers);
    return {
      rows: { labels: r.rows },
      columns: { symbol: 'key', date: 'key', ...Object.fromEntries(r.columns.map((c) => [c, 'label'])) },
    };
  },
});
