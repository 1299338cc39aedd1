import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { POLYGON_KEY_ENV, PolygonVendor } from '../src/data/vendors/polygon.js';
import {
  freshnessToken,
  restShardConfigShape,
  retryPolicyOf,
  seededRandom,
  symbolYearShards,
  yearRange,
} from '../src/data/vendors/shards.js';
import { defineRule, type Partition } from '../src/engine/rule-api.js';

const config = z
  .object({
    base_url: z.string().url().default('https://api.polygon.io'),
    ...restShardConfigShape,
    /** Requests per second for the whole build: each of the engine's parallel shards gets its share. */
    rate_per_second: z.number().positive().default(5),
    concurrency: z.number().int().positive().default(4),
    page_limit: z.number().int().min(1).max(50_000).default(5000),
  })
  .strict();

type Config = z.infer<typeof config>;

/**
 * Raw daily bars from Polygon's REST aggregates, one shard per symbol and year, each its own
 * cached action: a build killed half-way fetches only the shards it lacks when run again. The
 * key comes from POLYGON_API_KEY and nowhere else; it is in no config, key, log or manifest.
 */
export default defineRule({
  name: 'ingest_polygon',
  version: 1,
  description: 'raw daily bars from Polygon REST aggregates, by symbol and year',
  external: true,
  config,
  outputs: ['bars.csv'],
  partitions: (c: Config): Partition[] => symbolYearShards(c),
  // A closed period is final; one that reaches today may still change until the day is over.
  freshness: (c: Config, partition: Partition | null, nowMs: number) =>
    freshnessToken(yearRange(c, partition!.year!).to, c.freshness_hours, nowMs),
  async run(ctx) {
    const key = process.env[POLYGON_KEY_ENV];
    if (!key)
      throw new Error(
        `${POLYGON_KEY_ENV} is not set: export it to build ${ctx.label} (the key is read from the environment only)`,
      );
    const c = ctx.config;
    const { symbol, year } = ctx.partition as { symbol: string; year: string };
    const { from, to } = yearRange(c, year);
    const random = seededRandom(ctx.seed);
    const vendor = new PolygonVendor({
      baseUrl: c.base_url.replace(/\/$/, ''),
      apiKey: key,
      ratePerSecond: c.rate_per_second / Math.max(1, ctx.parallelism),
      concurrency: c.concurrency,
      pageLimit: c.page_limit,
      retry: retryPolicyOf(c),
      random,
    });
    const started = performance.now();
    try {
      const out = join(ctx.outDir, 'bars.csv');
      const report = await vendor.writeDailyBars({ symbols: [symbol], start: from, end: to }, out);
      const seconds = (performance.now() - started) / 1000;
      const stats = vendor.stats;
      ctx.log.info(`${symbol} ${from}..${to}: ${report.rows} rows in ${stats.pages} pages, ${stats.requests} requests`);
      return {
        rows: { 'bars.csv': report.rows },
        fetched: {
          vendor: vendor.name,
          request: {
            endpoint: `${c.base_url}/v2/aggs/ticker/${symbol}/range/1/day/${from}/${to}`,
            adjusted: false,
            sort: 'asc',
            limit: c.page_limit,
          },
          pages: stats.pages,
          requests: stats.requests,
          bytes: stats.bytes,
          retries: stats.retries,
          rows: report.rows,
          rows_per_second: Math.round(report.rows / Math.max(seconds, 1e-6)),
          raw_sha256: createHash('sha256').update(readFileSync(out)).digest('hex'),
        },
      };
    } finally {
      await vendor.close();
    }
  },
});
