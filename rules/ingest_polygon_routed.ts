import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { FLATFILES_KEY_ENV, PolygonFlatFiles } from '../src/data/vendors/polygon-flatfiles.js';
import { POLYGON_KEY_ENV, PolygonVendor } from '../src/data/vendors/polygon.js';
import { routeRequest } from '../src/data/vendors/routing.js';
import {
  freshnessToken,
  restShardConfigShape,
  retryPolicyOf,
  seededRandom,
  yearRange,
} from '../src/data/vendors/shards.js';
import { defineRule, type Partition } from '../src/engine/rule-api.js';

const config = z
  .object({
    ...restShardConfigShape,
    routing: z
      .object({
        flatfiles_min_bars: z.number().int().positive().default(50_000),
        flatfiles_min_sessions: z.number().int().positive().default(60),
      })
      .strict()
      .default({ flatfiles_min_bars: 50_000, flatfiles_min_sessions: 60 }),
    rest: z
      .object({
        base_url: z.string().url().default('https://api.polygon.io'),
        rate_per_second: z.number().positive().default(5),
        concurrency: z.number().int().positive().default(4),
        page_limit: z.number().int().min(1).max(50_000).default(5000),
      })
      .strict()
      .default({ base_url: 'https://api.polygon.io', rate_per_second: 5, concurrency: 4, page_limit: 5000 }),
    flatfiles: z
      .object({
        endpoint: z.string().url().default('https://files.polygon.io'),
        bucket: z.string().default('flatfiles'),
        region: z.string().default('us-east-1'),
        concurrency: z.number().int().positive().default(8),
      })
      .strict()
      .default({ endpoint: 'https://files.polygon.io', bucket: 'flatfiles', region: 'us-east-1', concurrency: 8 }),
  })
  .strict();

type Config = z.infer<typeof config>;

/**
 * Raw daily bars for many symbols, one shard per year, each fetched the way its size calls for:
 * REST aggregates for small requests, day-aggregate flat files for large ones (routing.ts). The
 * route and its reason go into the manifest. Live increments are the WebSocket feed's job, a
 * process that runs on, not a build.
 */
export default defineRule({
  name: 'ingest_polygon_routed',
  version: 1,
  description: 'raw daily bars from Polygon, REST or flat files by request size, by year',
  external: true,
  config,
  outputs: ['bars.csv'],
  partitions(c: Config): Partition[] {
    const years: Partition[] = [];
    for (let y = Number(c.start.slice(0, 4)); y <= Number(c.end.slice(0, 4)); y++) years.push({ year: String(y) });
    return years;
  },
  freshness: (c: Config, partition: Partition | null, nowMs: number) =>
    freshnessToken(yearRange(c, partition!.year!).to, c.freshness_hours, nowMs),
  async run(ctx) {
    const c = ctx.config;
    const { from, to } = yearRange(c, (ctx.partition as { year: string }).year);
    const decision = routeRequest({ symbols: c.symbols.length, start: from, end: to, live: false }, undefined, {
      flatfilesMinBars: c.routing.flatfiles_min_bars,
      flatfilesMinSessions: c.routing.flatfiles_min_sessions,
    });
    ctx.log.info(`route ${decision.route}: ${decision.reason}`);
    const out = join(ctx.outDir, 'bars.csv');
    const random = seededRandom(ctx.seed);
    let rows: number;
    let traffic: Record<string, unknown>;
    if (decision.route === 'flatfiles') {
      const id = process.env[FLATFILES_KEY_ENV.id];
      const secret = process.env[FLATFILES_KEY_ENV.secret];
      if (!id || !secret)
        throw new Error(
          `${ctx.label} goes to flat files (${decision.reason}): set ${FLATFILES_KEY_ENV.id} and ${FLATFILES_KEY_ENV.secret}`,
        );
      const files = new PolygonFlatFiles(
        {
          kind: 's3',
          endpoint: c.flatfiles.endpoint,
          bucket: c.flatfiles.bucket,
          region: c.flatfiles.region,
          accessKeyId: id,
          secretAccessKey: secret,
        },
        { concurrency: c.flatfiles.concurrency, maxRetries: c.max_retries, baseDelayMs: c.base_delay_ms, random },
      );
      try {
        rows = (await files.writeDailyBars(from, to, c.symbols, out)).rows;
        traffic = { ...files.stats };
      } finally {
        files.close();
      }
    } else {
      const key = process.env[POLYGON_KEY_ENV];
      if (!key) throw new Error(`${ctx.label} goes to REST (${decision.reason}): set ${POLYGON_KEY_ENV}`);
      const vendor = new PolygonVendor({
        baseUrl: c.rest.base_url.replace(/\/$/, ''),
        apiKey: key,
        ratePerSecond: c.rest.rate_per_second / Math.max(1, ctx.parallelism),
        concurrency: c.rest.concurrency,
        pageLimit: c.rest.page_limit,
        retry: retryPolicyOf(c),
        random,
      });
      try {
        rows = (await vendor.writeDailyBars({ symbols: c.symbols, start: from, end: to }, out)).rows;
        traffic = { ...vendor.stats };
      } finally {
        await vendor.close();
      }
    }
    return {
      rows: { 'bars.csv': rows },
      fetched: {
        vendor: 'polygon',
        route: decision.route,
        reason: decision.reason,
        from,
        to,
        symbols: c.symbols.length,
        ...traffic,
        rows,
        raw_sha256: createHash('sha256').update(readFileSync(out)).digest('hex'),
      },
    };
  },
});
