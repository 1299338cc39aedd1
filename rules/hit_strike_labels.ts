import { join } from 'node:path';
import { z } from 'zod';
import { buildHitStrikeLabels, HIT_STRIKE_COLUMNS } from '../src/features/build-hit-strike.js';
import { defineRule } from '../src/engine/rule-api.js';
import { inputDir } from './_inputs.js';
import { targetLabelSchema } from '../src/data/schemas/target-label.js';

/**
 * Hit-strike labels (does the underlying touch the strike before expiry?) for every option
 * contract in end-of-day chains. Forward-looking: every label column has the role 'label', so
 * the engine refuses any target that would consume one as a feature.
 */
export default defineRule({
  name: 'hit_strike_labels',
  version: 1,
  description: 'hit-strike labels for option contracts (role: label)',
  config: z
    .object({
      /** The option chains, and the canonical bars whose closes decide each hit. */
      from: z.object({ chains: targetLabelSchema, bars: targetLabelSchema }).strict(),
      underlying: z.string().min(1),
    })
    .strict(),
  inputs: (c) => [c.from.chains, c.from.bars],
  outputs: ['labels'],
  async run(ctx) {
    const c = ctx.config;
    const input = (label: string) => inputDir(ctx, label);
    const r = await buildHitStrikeLabels(
      join(input(c.from.chains), 'option_chains.csv'),
      join(input(c.from.bars), 'equity_bars'),
      c.underlying,
      ctx.outDir,
    );
    ctx.log.info(`${r.rows} contracts of ${c.underlying}, ${r.resolved} resolved (the rest expire after the last bar)`);
    return {
      rows: { labels: r.rows },
      columns: {
        symbol: 'key',
        date: 'key',
        expiry: 'key',
        strike: 'key',
        right: 'key',
        ...Object.fromEntries(HIT_STRIKE_COLUMNS.map((col) => [col, 'label'])),
      },
    };
  },
});
