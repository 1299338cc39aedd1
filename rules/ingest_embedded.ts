import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { EMBEDDED_DATASETS, EmbeddedVendor, type EmbeddedDataset } from '../src/data/vendors/embedded.js';
import { defineRule } from '../src/engine/rule-api.js';
import { isoDateSchema } from '../src/data/schemas/iso-date.js';
import { tickerSchema } from '../src/data/schemas/ticker.js';

const datasetNames = Object.keys(EMBEDDED_DATASETS) as [EmbeddedDataset, ...EmbeddedDataset[]];

/**
 * Raw daily bars and corporate actions from the embedded sample data (the default vendor: no
 * network, no key). The sample files are the target's declared srcs, so editing one rebuilds it.
 */
export default defineRule({
  name: 'ingest_embedded',
  version: 1,
  description: 'raw bar shards from the embedded real sample data',
  config: z
    .object({
      datasets: z.array(z.enum(datasetNames)).min(1),
      symbols: z.array(tickerSchema).optional(),
      start: isoDateSchema.optional(),
      end: isoDateSchema.optional(),
    })
    .strict(),
  outputs: ['bars.csv', 'corporate_actions.json'],
  async run(ctx) {
    const files = ctx.config.datasets.map((d) => {
      const file = Object.values(ctx.srcs).find((path) => basename(path) === EMBEDDED_DATASETS[d]);
      if (!file) throw new Error(`dataset '${d}' needs data/sample/${EMBEDDED_DATASETS[d]} in this target's srcs`);
      return file;
    });
    const vendor = new EmbeddedVendor(files);
    const report = await vendor.writeDailyBars(
      { symbols: ctx.config.symbols, start: ctx.config.start, end: ctx.config.end },
      join(ctx.outDir, 'bars.csv'),
    );
    const actions = await vendor.corporateActions(report.symbols);
    writeFileSync(join(ctx.outDir, 'corporate_actions.json'), `${JSON.stringify(actions, null, 2)}\n`);
    ctx.log.info(
      `${report.rows} rows, ${report.symbols.length} symbols from ${report.sources.map((s) => s.name).join(', ')}`,
    );
    return {
      rows: { 'bars.csv': report.rows, 'corporate_actions.json': actions.length },
      fetched: { vendor: vendor.name, sources: report.sources },
    };
  },
});
