import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { syntheticChainParamsSchema } from '../src/data/synthetic/option-chains.js';
import { EmbeddedVendor } from '../src/data/vendors/embedded.js';
import { defineRule } from '../src/engine/rule-api.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

/**
 * SYNTHETIC daily option chains over a real underlying's closes, from the embedded vendor: the
 * sample has no real options data. Every row is marked source=synthetic, and SYNTHETIC.md says
 * how they were made.
 */
export default defineRule({
  name: 'ingest_synthetic_options',
  version: 1,
  description: 'seeded synthetic option chains over a real underlying (labelled synthetic)',
  config: z
    .object({
      underlying: z.string().min(1),
      start: isoDate,
      end: isoDate,
      generator: syntheticChainParamsSchema,
    })
    .strict(),
  outputs: ['option_chains.csv', 'SYNTHETIC.md'],
  async run(ctx) {
    const vendor = new EmbeddedVendor(Object.values(ctx.srcs));
    const c = ctx.config;
    const report = await vendor.writeOptionChains({ underlying: c.underlying, start: c.start, end: c.end, synthetic: c.generator }, join(ctx.outDir, 'option_chains.csv'));
    writeFileSync(
      join(ctx.outDir, 'SYNTHETIC.md'),
      `# Synthetic option chains\n\nThese chains are NOT market data. They were generated over the real closes of ${c.underlying} ` +
        `from ${c.start} to ${c.end} by src/data/synthetic/option-chains.ts, with seed ${c.generator.seed} and the parameters in this ` +
        `target's config. Every row has source=synthetic.\n`,
    );
    return { rows: { 'option_chains.csv': report.rows }, fetched: { vendor: vendor.name, synthetic: true, sources: report.sources } };
  },
});
