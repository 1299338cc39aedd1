import { z } from 'zod';
import { isoDateSchema } from './iso-date.js';
import { tickerSchema } from './ticker.js';

/**
 * Canonical equity OHLCV bars, schema version 1. One row per symbol and bar. `date` is the
 * exchange-local session date; `ts` the instant the bar closed, in UTC (for daily bars the
 * session's close, early closes included): the moment the bar became knowable, which is what
 * point-in-time joins use. Sources that publish closes only leave open/high/low null.
 */
export const EQUITY_BARS_SCHEMA_VERSION = 1;

export const intervalSchema = z.enum(['1m', '5m', '15m', '1h', '1d']);
export type BarInterval = z.infer<typeof intervalSchema>;

const price = z.number().finite().positive();

export const equityBarSchema = z
  .object({
    symbol: tickerSchema,
    /** The ticker the bar traded under; differs from symbol before a rename. */
    traded_symbol: tickerSchema,
    date: isoDateSchema,
    ts: z.string().datetime({ offset: false }),
    interval: intervalSchema,
    open: price.nullable(),
    high: price.nullable(),
    low: price.nullable(),
    close: price,
    volume: z.number().int().nonnegative().nullable(),
    vwap: price.nullable(),
    trades: z.number().int().nonnegative().nullable(),
    vendor: z.string().min(1),
    split_factor: z.number().finite().positive(),
    adj_factor: z.number().finite().positive(),
  })
  .strict()
  .refine((b) => b.low === null || b.high === null || b.low <= b.high, { message: 'low above high' })
  .refine((b) => b.low === null || ((b.open === null || b.low <= b.open) && b.low <= b.close), { message: 'low above open or close' })
  .refine((b) => b.high === null || ((b.open === null || b.open <= b.high) && b.close <= b.high), { message: 'open or close above high' });

export type EquityBar = z.infer<typeof equityBarSchema>;

/** The Parquet columns, in order, with their DuckDB types. */
export const EQUITY_BAR_COLUMNS = [
  ['symbol', 'VARCHAR'],
  ['traded_symbol', 'VARCHAR'],
  ['date', 'DATE'],
  ['ts', 'TIMESTAMP'],
  ['interval', 'VARCHAR'],
  ['open', 'DOUBLE'],
  ['high', 'DOUBLE'],
  ['low', 'DOUBLE'],
  ['close', 'DOUBLE'],
  ['volume', 'BIGINT'],
  ['vwap', 'DOUBLE'],
  ['trades', 'BIGINT'],
  ['vendor', 'VARCHAR'],
  ['split_factor', 'DOUBLE'],
  ['adj_factor', 'DOUBLE'],
] as const;

/**
 * Raw bar shards, as every vendor adapter writes them (CSV with this header): the one format
 * canonicalize reads. `ts` is an ISO date for daily bars or an ISO instant with offset.
 */
export const RAW_BAR_HEADER = ['symbol', 'ts', 'open', 'high', 'low', 'close', 'volume', 'vwap', 'trades'] as const;
