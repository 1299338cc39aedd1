import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { getBars } from '../src/data/query/get-bars.js';
import {
  chainRowsToCsv,
  generateOptionChains,
  syntheticChainParamsSchema,
} from '../src/data/synthetic/option-chains.js';
import { defineRule } from '../src/engine/rule-api.js';
import { inputDir } from './_inputs.js';
import { isoDateSchema } from '../src/data/schemas/iso-date.js';
import { targetLabelSchema } from '../src/data/schemas/target-label.js';

/**
 * SYNTHETIC daily option chains over a real underlying's closes: the sample has no real options
 * data. The closes come from the validated canonical bars (a dep), never from a raw vendor file,
 * so a close that is not a number was already refused there, with its file and line. Every row
 * is marked source=synthetic, and SYNTHETIC.md says how they were made.
 */
export default defineRule({
  name: 'ingest_synthetic_options',
  version: 2,
  description: 'seeded synthetic option chains over a real underlying (labelled synthetic)',
  config: z
    .object({
      /** The canonical bars (a dep) whose unadjusted closes the chains are written over. */
      from: targetLabelSchema,
      underlying: z.string().min(1),
      start: isoDateSchema,
      end: isoDateSchema,
      generator: syntheticChainParamsSchema,
    })
    .strict(),
  inputs: (c) => [c.from],
  outputs: ['option_chains.csv', 'SYNTHETIC.md'],
  async run(ctx) {
    const c = ctx.config;
    // As traded: options are struck on the prices of their day, not on back-adjusted ones.
    const bars = await getBars(join(inputDir(ctx, c.from), 'equity_bars'), {
      symbols: [c.underlying],
      start: c.start,
      end: c.end,
      interval: '1d',
      adjust: 'none',
    });
    if (bars.length === 0)
      throw new Error(`no bars of ${c.underlying} from ${c.start} to ${c.end} in ${c.from} to build chains on`);
    const rows = generateOptionChains(
      c.underlying,
      bars.map((b) => ({ date: b.date, close: b.close })),
      c.generator,
    );
    writeFileSync(join(ctx.outDir, 'option_chains.csv'), chainRowsToCsv(rows));
    writeFileSync(
      join(ctx.outDir, 'SYNTHETIC.md'),
      `# Synthetic option chains\n\nThese chains are NOT market data. They were generated over the real closes of ${c.underlying} ` +
        `from ${c.start} to ${c.end} by src/data/synthetic/option-chains.ts, with seed ${c.generator.seed} and the parameters in this ` +
        `target's config. Every row has source=synthetic.\n`,
    );
    return {
      rows: { 'option_chains.csv': rows.length },
      fetched: { vendor: 'synthetic', synthetic: true, underlying_bars: c.from },
    };
  },
});
