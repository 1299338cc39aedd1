import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ALPACA_KEY_ENV, AlpacaBars } from '../src/data/vendors/alpaca.js';
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
    base_url: z.string().url().default('https://data.alpaca.markets'),
    feed: z.enum(['sip', 'iex']).default('sip'),
    ...restShardConfigShape,
    rate_per_second: z.number().positive().default(3),
    page_limit: z.number().int().min(1).max(10_000).default(1000),
  })
  .strict();

type Config = z.infer<typeof config>;

/**
 * Raw daily bars from Alpaca market data v2, one shard per symbol and year: the second OHLCV
 * vendor, for reconciliation in canonicalize. Keys come from APCA_API_KEY_ID and
 * APCA_API_SECRET_KEY only.
 */
export default defineRule({
  name: 'ingest_alpaca',
  version: 1,
  description: 'raw daily bars from Alpaca market data, by symbol and year',
  external: true,
  config,
  outputs: ['bars.csv'],
  partitions: (c: Config): Partition[] => symbolYearShards(c),
  freshness: (c: Config, partition: Partition | null, nowMs: number) =>
    freshnessToken(yearRange(c, partition!.year!).to, c.freshness_hours, nowMs),
  async run(ctx) {
    const keyId = process.env[ALPACA_KEY_ENV.id];
    const secretKey = process.env[ALPACA_KEY_ENV.secret];
    if (!keyId || !secretKey)
      throw new Error(
        `${ALPACA_KEY_ENV.id} and ${ALPACA_KEY_ENV.secret} must be set to build ${ctx.label} (keys are read from the environment only)`,
      );
    const c = ctx.config;
    const { symbol, year } = ctx.partition as { symbol: string; year: string };
    const { from, to } = yearRange(c, year);
    const alpaca = new AlpacaBars({
      baseUrl: c.base_url.replace(/\/$/, ''),
      keyId,
      secretKey,
      ratePerSecond: c.rate_per_second / Math.max(1, ctx.parallelism),
      concurrency: 1,
      pageLimit: c.page_limit,
      feed: c.feed,
      retry: retryPolicyOf(c),
      random: seededRandom(ctx.seed),
    });
    try {
      const out = join(ctx.outDir, 'bars.csv');
      const rows = await alpaca.writeDailyBars(symbol, from, to, out);
      const s = alpaca.stats;
      return {
        rows: { 'bars.csv': rows },
        fetched: {
          vendor: 'alpaca',
          request: {
            endpoint: `${c.base_url}/v2/stocks/${symbol}/bars`,
            timeframe: '1Day',
            from,
            to,
            feed: c.feed,
            adjustment: 'raw',
          },
          pages: s.pages,
          requests: s.requests,
          bytes: s.bytes,
          retries: s.retries,
          rows,
          raw_sha256: createHash('sha256').update(readFileSync(out)).digest('hex'),
        },
      };
    } finally {
      await alpaca.close();
    }
  },
});
