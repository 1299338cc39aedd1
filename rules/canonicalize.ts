import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { canonicalizeEquityBars, type VendorInput } from '../src/data/canonicalize/equity-bars.js';
import { corporateActionSchema, type CorporateAction } from '../src/data/schemas/reference.js';
import { defineRule } from '../src/engine/rule-api.js';
import { inputOf } from './_inputs.js';
import { targetLabelSchema } from '../src/data/schemas/target-label.js';

/**
 * Raw bar shards from one or more vendors → the canonical equity bars table: validated (a bad
 * row fails the build with its file, line and reason, or is quarantined), reconciled by vendor
 * precedence (each row records its vendor), split- and dividend-adjusted, written as Parquet
 * partitioned by symbol and year.
 */
export default defineRule({
  name: 'canonicalize',
  version: 1,
  description: 'raw vendor bars → validated canonical equity bars (Parquet)',
  config: z
    .object({
      vendors: z
        .array(z.object({ name: z.string().min(1), from: targetLabelSchema }).strict())
        .min(1)
        .describe('highest precedence first'),
      duplicates: z.enum(['fail', 'keep_first', 'keep_last']).default('fail'),
      on_invalid: z.enum(['fail', 'quarantine']).default('fail'),
      exchange: z.string().default('XNYS'),
      /** Targets whose corporate_actions.json to apply as well (reference data fetched apart from bars). */
      corporate_actions: z.array(z.object({ from: targetLabelSchema }).strict()).default([]),
      threads: z.number().int().positive().default(2),
    })
    .strict(),
  inputs: (c) => [...c.vendors.map((v) => v.from), ...c.corporate_actions.map((a) => a.from)],
  outputs: ['equity_bars', 'validation.json'],
  async run(ctx) {
    const vendors: VendorInput[] = [];
    const actions: CorporateAction[] = [];
    for (const { from } of ctx.config.corporate_actions) {
      const input = inputOf(ctx, from);
      actions.push(...readActions(from, input.files));
    }
    for (const v of ctx.config.vendors) {
      const input = inputOf(ctx, v.from);
      const shards = Object.keys(input.files)
        .filter((n) => n.endsWith('.csv'))
        .sort();
      vendors.push({
        vendor: v.name,
        files: shards.map((n) => ({ path: input.files[n]!, display: `${v.from}/${n}` })),
      });
      actions.push(...readActions(v.from, input.files));
    }
    const report = await canonicalizeEquityBars({
      vendors,
      duplicates: ctx.config.duplicates,
      onInvalid: ctx.config.on_invalid,
      exchange: ctx.config.exchange,
      corporateActions: dedupeActions(actions),
      outDir: ctx.outDir,
      threads: ctx.config.threads,
    });
    ctx.log.info(`${report.rows_out} bars for ${report.symbols} symbols; ${report.rejected} rejected`);
    return { rows: { equity_bars: report.rows_out, 'rejects.parquet': report.rejected }, validation: report };
  },
});

/** The corporate_actions.json files among an input's outputs, validated. */
function readActions(label: string, files: Readonly<Record<string, string>>): CorporateAction[] {
  const out: CorporateAction[] = [];
  for (const n of Object.keys(files)
    .filter((f) => f.endsWith('corporate_actions.json'))
    .sort()) {
    const parsed = z.array(corporateActionSchema).safeParse(JSON.parse(readFileSync(files[n]!, 'utf8')));
    if (!parsed.success)
      throw new Error(`${label}/${n}: not a list of corporate actions: ${parsed.error.issues[0]?.message}`);
    out.push(...parsed.data);
  }
  return out;
}

/** The same action reported by two vendors counts once. */
function dedupeActions(actions: CorporateAction[]): CorporateAction[] {
  const seen = new Map<string, CorporateAction>();
  for (const a of actions) seen.set(JSON.stringify(a), a);
  return [...seen.values()].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}
