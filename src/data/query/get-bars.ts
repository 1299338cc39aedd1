import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { intervalSchema } from '../schemas/equity-bars.js';
import { openDuckDb, queryRows, sqlString } from '../store/duckdb.js';
import { isoDateSchema } from '../schemas/iso-date.js';

export const getBarsRequestSchema = z
  .object({
    symbols: z.array(z.string().min(1)).min(1),
    start: isoDateSchema,
    end: isoDateSchema,
    interval: intervalSchema.default('1d'),
    /** none: as traded; splits: split-adjusted prices and volumes; total: splits and dividends. */
    adjust: z.enum(['none', 'splits', 'total']).default('splits'),
  })
  .strict();

export type GetBarsRequest = z.input<typeof getBarsRequestSchema>;

export interface Bar {
  symbol: string;
  /** The ticker as traded on that date (differs from symbol before a rename). */
  traded_symbol: string;
  date: string;
  ts: string;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number;
  volume: number | null;
  vendor: string;
}

/**
 * Bars from a canonical store (the `equity_bars` directory a canonicalize target writes),
 * ordered by symbol and date. Adjusted prices are raw x factor, adjusted volumes raw / split factor.
 */
export async function getBars(storeDir: string, request: GetBarsRequest): Promise<Bar[]> {
  const r = getBarsRequestSchema.parse(request);
  if (!existsSync(storeDir)) throw new Error(`no canonical store at ${storeDir}: build the canonical target first`);
  if (r.interval !== '1d') throw new Error(`interval ${r.interval}: the canonical store holds daily bars only so far`);
  const factor = r.adjust === 'none' ? '1.0' : r.adjust === 'splits' ? 'split_factor' : 'adj_factor';
  const { connection, close } = await openDuckDb(2);
  try {
    const rows = await queryRows<Record<string, unknown>>(
      connection,
      `SELECT symbol, traded_symbol, strftime(date, '%Y-%m-%d') AS date, strftime(ts, '%Y-%m-%dT%H:%M:%SZ') AS ts,
              open * ${factor} AS open, high * ${factor} AS high, low * ${factor} AS low, close * ${factor} AS close,
              CASE WHEN volume IS NULL THEN NULL ELSE volume / ${r.adjust === 'none' ? '1.0' : 'split_factor'} END AS volume, vendor
       FROM read_parquet(${sqlString(join(storeDir, '**', '*.parquet'))}, hive_partitioning = true, hive_types = {'symbol': VARCHAR, 'year': INTEGER})
       WHERE symbol IN (${r.symbols.map(sqlString).join(', ')}) AND date BETWEEN ${sqlString(r.start)} AND ${sqlString(r.end)}
       ORDER BY symbol, date`,
    );
    return rows.map((row) => ({
      symbol: String(row.symbol),
      traded_symbol: String(row.traded_symbol),
      date: String(row.date),
      ts: String(row.ts),
      open: row.open === null ? null : Number(row.open),
      high: row.high === null ? null : Number(row.high),
      low: row.low === null ? null : Number(row.low),
      close: Number(row.close),
      volume: row.volume === null ? null : Number(row.volume),
      vendor: String(row.vendor),
    }));
  } finally {
    close();
  }
}
