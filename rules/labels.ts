import { join } from 'node:path';
import { z } from 'zod';
import { buildLabels, labelSetSchema } from '../src/features/build-labels.js';
import { defineRule } from '../src/engine/rule-api.js';
import { inputDir } from './_inputs.js';

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
    .object({ from: z.string().startsWith('//'), writers: z.number().int().positive().default(2), set: labelSetSchema })
    .strict(),
  inputs: (c) => [c.from],
  outputs: ['labels'],
  async run(ctx) {
    const r = await buildLabels(
      join(inputDir(ctx, ctx.config.from), 'equity_bars'),
      ctx.config.set,
      ctx.outDir,
      ctx.config.writers,
    );
    return {
      rows: { labels: r.rows },
      columns: { symbol: 'key', date: 'key', ...Object.fromEntries(r.columns.map((c) => [c, 'label'])) },
    };
  },
});
