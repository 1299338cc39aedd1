import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { FLATFILES_KEY_ENV, PolygonFlatFiles, type FlatFileSource } from '../src/data/vendors/polygon-flatfiles.js';
import { freshnessToken, seededRandom, tickerSchema } from '../src/data/vendors/shards.js';
import { defineRule, type Partition } from '../src/engine/rule-api.js';
import { isoDateSchema } from '../src/data/schemas/iso-date.js';

const config = z
  .object({
    source: z.discriminatedUnion('kind', [
      z
        .object({
          kind: z.literal('s3'),
          endpoint: z.string().url().default('https://files.polygon.io'),
          bucket: z.string().default('flatfiles'),
          region: z.string().default('us-east-1'),
        })
        .strict(),
      z
        .object({
          kind: z.literal('local'),
          dir: z.string().min(1).describe('a directory with the us_stocks_sip/day_aggs_v1/YYYY/MM layout'),
        })
        .strict(),
    ]),
    /** Keep only these tickers (the files hold every ticker of the day). */
    symbols: z.array(tickerSchema).min(1).optional(),
    start: isoDateSchema,
    end: isoDateSchema,
    concurrency: z.number().int().positive().default(8),
    max_retries: z.number().int().min(0).default(6),
    base_delay_ms: z.number().int().positive().default(250),
    freshness_hours: z.number().positive().default(6),
  })
  .strict();

type Config = z.infer<typeof config>;

function monthRange(c: Config, month: string): { from: string; to: string } {
  const first = `${month}-01`;
  const [y, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10); // day 0 of the next month
  return { from: c.start > first ? c.start : first, to: c.end < last ? c.end : last };
}

/**
 * Raw daily bars from Polygon's day-aggregate flat files, one shard per month: for long
 * histories, one file per session beats thousands of REST pages. S3 credentials come from
 * POLYGON_S3_ACCESS_KEY_ID and POLYGON_S3_SECRET_ACCESS_KEY only.
 */
export default defineRule({
  name: 'ingest_polygon_flatfiles',
  version: 1,
  description: 'raw daily bars from Polygon day-aggregate flat files, by month',
  external: true,
  config,
  outputs: ['bars.csv'],
  partitions(c: Config): Partition[] {
    const months: Partition[] = [];
    for (
      let y = Number(c.start.slice(0, 4)), m = Number(c.start.slice(5, 7));
      `${y}-${String(m).padStart(2, '0')}` <= c.end.slice(0, 7);
      m === 12 ? (y++, (m = 1)) : m++
    ) {
      months.push({ month: `${y}-${String(m).padStart(2, '0')}` });
    }
    return months;
  },
  freshness: (c: Config, partition: Partition | null, nowMs: number) =>
    freshnessToken(monthRange(c, partition!.month!).to, c.freshness_hours, nowMs),
  async run(ctx) {
    const c = ctx.config;
    let source: FlatFileSource;
    if (c.source.kind === 's3') {
      const id = process.env[FLATFILES_KEY_ENV.id];
      const secret = process.env[FLATFILES_KEY_ENV.secret];
      if (!id || !secret)
        throw new Error(
          `${FLATFILES_KEY_ENV.id} and ${FLATFILES_KEY_ENV.secret} must be set to build ${ctx.label} (credentials are read from the environment only)`,
        );
      source = { ...c.source, accessKeyId: id, secretAccessKey: secret };
    } else source = c.source;
    const random = seededRandom(ctx.seed);
    const files = new PolygonFlatFiles(source, {
      concurrency: c.concurrency,
      maxRetries: c.max_retries,
      baseDelayMs: c.base_delay_ms,
      random,
    });
    const { from, to } = monthRange(c, (ctx.partition as { month: string }).month);
    const started = performance.now();
    try {
      const out = join(ctx.outDir, 'bars.csv');
      const report = await files.writeDailyBars(from, to, c.symbols, out);
      const seconds = (performance.now() - started) / 1000;
      ctx.log.info(`${from}..${to}: ${report.sessions} files, ${report.rows} rows`);
      return {
        rows: { 'bars.csv': report.rows },
        fetched: {
          vendor: 'polygon-flatfiles',
          request: {
            source: c.source.kind === 's3' ? `${c.source.endpoint}/${c.source.bucket}` : 'local directory',
            from,
            to,
            symbols: c.symbols ?? 'all',
          },
          files: files.stats.files,
          bytes: files.stats.bytes,
          retries: files.stats.retries,
          rows: report.rows,
          rows_per_second: Math.round(report.rows / Math.max(seconds, 1e-6)),
          raw_sha256: createHash('sha256').update(readFileSync(out)).digest('hex'),
        },
      };
    } finally {
      files.close();
    }
  },
});
