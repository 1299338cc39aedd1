import { join } from 'node:path';
import { z } from 'zod';
import { buildFeatures } from '../src/features/build-features.js';
import { checkFeatureSet, featureSetShape, type FeatureSet } from '../src/features/feature-set.js';
import { defineRule } from '../src/engine/rule-api.js';
import { inputDir } from './_inputs.js';
import { featureTableRoles } from './_columns.js';
import { targetLabelSchema } from '../src/data/schemas/target-label.js';

/**
 * A versioned feature set (its contract is this target's config, under configs/features/) over
 * canonical bars: Parquet by symbol and year, each row stamped with when it became knowable.
 * Editing the contract changes the key; two versions are two targets and coexist.
 */
export default defineRule({
  name: 'features',
  version: 1,
  description: 'a feature set contract computed over canonical bars',
  config: z
    .object({
      from: targetLabelSchema,
      adjust: z.enum(['none', 'splits', 'total']).default('splits'),
      writers: z.number().int().positive().default(2),
      ...featureSetShape,
    })
    .strict()
    .superRefine(checkFeatureSet),
  inputs: (c) => [c.from],
  outputs: ['features'],
  async run(ctx) {
    const { from, adjust, writers, ...set } = ctx.config;
    const r = await buildFeatures(
      join(inputDir(ctx, from), 'equity_bars'),
      set satisfies FeatureSet,
      adjust,
      ctx.outDir,
      writers,
    );
    ctx.log.info(`${set.name} v${set.version}: ${r.columns.length} columns, ${r.rows} rows, ${r.symbols} symbols`);
    return {
      rows: { features: r.rows },
      columns: featureTableRoles(r.columns),
    };
  },
});
