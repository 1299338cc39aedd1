import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { POLYGON_KEY_ENV, PolygonVendor } from '../src/data/vendors/polygon.js';
import { retryConfigShape, retryPolicyOf, seededRandom, tickerSchema } from '../src/data/vendors/shards.js';
import { defineRule } from '../src/engine/rule-api.js';

/**
 * Reference data from Polygon: ticker metadata with listing histories (tickers.json, for
 * universes as of a date) and splits and cash dividends (corporate_actions.json, which
 * canonicalize applies). Reference data changes, so it is refetched every freshness_hours.
 */
export default defineRule({
  name: 'ingest_polygon_reference',
  version: 1,
  description: 'Polygon ticker metadata, splits and dividends',
  external: true,
  config: z
    .object({
      base_url: z.string().url().default('https://api.polygon.io'),
      symbols: z.array(tickerSchema).min(1),
      rate_per_second: z.number().positive().default(5),
      page_limit: z.number().int().min(1).max(1000).default(1000),
      ...retryConfigShape,
      freshness_hours: z.number().positive().default(24),
    })
    .strict(),
  outputs: ['tickers.json', 'corporate_actions.json'],
  freshness: (c, _partition, nowMs) => String(Math.floor(nowMs / (c.freshness_hours * 3600_000))),
  async run(ctx) {
    const key = process.env[POLYGON_KEY_ENV];
    if (!key)
      throw new Error(
        `${POLYGON_KEY_ENV} is not set: export it to build ${ctx.label} (the key is read from the environment only)`,
      );
    const c = ctx.config;
    const vendor = new PolygonVendor({
      baseUrl: c.base_url.replace(/\/$/, ''),
      apiKey: key,
      ratePerSecond: c.rate_per_second / Math.max(1, ctx.parallelism),
      concurrency: 1,
      pageLimit: c.page_limit,
      retry: retryPolicyOf(c),
      random: seededRandom(ctx.seed),
    });
    try {
      const tickers = await vendor.tickers(c.symbols);
      const actions = await vendor.corporateActions(c.symbols);
      writeFileSync(join(ctx.outDir, 'tickers.json'), `${JSON.stringify(tickers, null, 2)}\n`);
      writeFileSync(join(ctx.outDir, 'corporate_actions.json'), `${JSON.stringify(actions, null, 2)}\n`);
      return {
        rows: { 'tickers.json': tickers.length, 'corporate_actions.json': actions.length },
        fetched: {
          vendor: 'polygon',
          endpoints: ['/v3/reference/tickers', '/v3/reference/splits', '/v3/reference/dividends'],
          ...vendor.stats,
        },
      };
    } finally {
      await vendor.close();
    }
  },
});
