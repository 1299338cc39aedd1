import { z } from 'zod';
import { isoDateSchema } from '../schemas/iso-date.js';
import { tickerSchema } from '../schemas/ticker.js';

/**
 * What vendor ingestion rules share: symbol-year shards of a date range, the freshness token of
 * a shard that reaches today, and a seeded generator for retry jitter.
 */
export interface ShardedRange {
  symbols: readonly string[];
  start: string;
  end: string;
  freshness_hours: number;
}

export function symbolYearShards(c: ShardedRange): { symbol: string; year: string }[] {
  const years: string[] = [];
  for (let y = Number(c.start.slice(0, 4)); y <= Number(c.end.slice(0, 4)); y++) years.push(String(y));
  return c.symbols.flatMap((symbol) => years.map((year) => ({ symbol, year })));
}

/** The days a year shard covers, clipped to the range. */
export function yearRange(c: { start: string; end: string }, year: string): { from: string; to: string } {
  return { from: c.start > `${year}-01-01` ? c.start : `${year}-01-01`, to: c.end < `${year}-12-31` ? c.end : `${year}-12-31` };
}

/** undefined for a shard that ends before today (final); else a token that changes every freshness_hours. */
export function freshnessToken(to: string, freshnessHours: number, nowMs: number): string | undefined {
  if (to < new Date(nowMs).toISOString().slice(0, 10)) return undefined;
  return String(Math.floor(nowMs / (freshnessHours * 3600_000)));
}

/** A linear congruential generator: jitter that is random across shards and repeatable for one. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296;
}

export { tickerSchema };

/** How an ingestion rule retries a vendor: attempts, backoff between them, and the time one request may take. */
export const retryConfigShape = {
  max_retries: z.number().int().min(0).default(6),
  base_delay_ms: z.number().int().positive().default(250),
  max_delay_ms: z.number().int().positive().default(30_000),
  timeout_ms: z.number().int().positive().default(30_000),
};

/** Config fields every REST ingestion rule has: what to fetch and how politely. */
export const restShardConfigShape = {
  symbols: z.array(tickerSchema).min(1),
  start: isoDateSchema,
  end: isoDateSchema,
  ...retryConfigShape,
  /** A shard reaching into today is fetched again once this many hours pass. */
  freshness_hours: z.number().positive().default(6),
};

export function retryPolicyOf(c: { max_retries: number; base_delay_ms: number; max_delay_ms: number; timeout_ms: number }) {
  return { maxRetries: c.max_retries, baseDelayMs: c.base_delay_ms, maxDelayMs: c.max_delay_ms, timeoutMs: c.timeout_ms };
}
