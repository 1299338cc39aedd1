import { join } from 'node:path';
import { z } from 'zod';
import { buildOptionsSurface } from '../src/features/build-options-surface.js';
import { SURFACE_FEATURES } from '../src/features/surface-selection.js';
import { defineRule } from '../src/engine/rule-api.js';
import { inputDir } from './_inputs.js';
import { featureTableRoles } from './_columns.js';
import { targetLabelSchema } from '../src/data/schemas/target-label.js';

/**
 * Volatility-surface features (IVX, 25-delta skew, term slope, open interest and volume,
 * put/call ratios, IV rank and percentile, each with a coverage flag) of one underlying, from
 * end-of-day option chains and the canonical bars that give the spot.
 */
export default defineRule({
  name: 'options_surface',
  version: 1,
  description: 'volatility-surface features from end-of-day option chains',
  config: z
    .object({
      name: z.string().min(1),
      version: z.number().int().positive(),
      /** The option chains, and the canonical bars that give the spot. */
      from: z.object({ chains: targetLabelSchema, bars: targetLabelSchema }).strict(),
      underlying: z.string().min(1),
      rate: z.number(),
      div_yield: z.number(),
      ivx_days: z.number().int().positive().default(30),
      rank_window: z.number().int().positive().default(252),
      rank_min_coverage: z.number().min(0).max(1).default(0.8),
      lag: z.number().int().min(0).default(0),
      features: z
        .array(z.enum(SURFACE_FEATURES))
        .min(1)
        .refine((f) => new Set(f).size === f.length, 'features must not repeat'),
      min_coverage: z.number().min(0).max(1).default(0.9),
    })
    .strict(),
  inputs: (c) => [c.from.chains, c.from.bars],
  outputs: ['features'],
  async run(ctx) {
    const c = ctx.config;
    const input = (label: string) => inputDir(ctx, label);
    const r = await buildOptionsSurface(
      join(input(c.from.chains), 'option_chains.csv'),
      join(input(c.from.bars), 'equity_bars'),
      {
        underlying: c.underlying,
        rate: c.rate,
        divYield: c.div_yield,
        ivxDays: c.ivx_days,
        rankWindow: c.rank_window,
        rankMinCoverage: c.rank_min_coverage,
        lag: c.lag,
        features: c.features,
        minCoverage: c.min_coverage,
      },
      ctx.outDir,
    );
    ctx.log.info(`${c.name} v${c.version}: ${r.days} days of ${c.underlying}, ${r.columns.length} columns`);
    return {
      rows: { features: r.rows },
      columns: featureTableRoles(r.columns),
    };
  },
});
