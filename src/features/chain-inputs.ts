import type { DuckDBConnection } from '@duckdb/node-api';
import { join } from 'node:path';
import { queryRows, sqlString } from '../data/store/duckdb.js';
import type { ChainQuote } from './options-surface.js';

/** One quote of an end-of-day option chain CSV (the layout //raw/option_chains_* targets write), with its day. */
export type DatedQuote = ChainQuote & { date: string };

/** An underlying's canonical bar, unadjusted, with the split factor that makes it comparable across splits. */
export interface UnderlyingBar {
  date: string;
  ts: string;
  high: number;
  low: number;
  close: number;
  split_factor: number;
}

const CHAIN_COLUMNS =
  `{'date': 'DATE', 'underlying': 'VARCHAR', 'expiry': 'DATE', 'strike': 'DOUBLE', 'right': 'VARCHAR', 'bid': 'DOUBLE', 'ask': 'DOUBLE', ` +
  `'last': 'DOUBLE', 'volume': 'DOUBLE', 'open_interest': 'DOUBLE', 'vendor_iv': 'DOUBLE', 'source': 'VARCHAR'}`;

/** The underlying's quotes, ordered by date, expiry, strike and right. */
export async function readChainQuotes(
  db: DuckDBConnection,
  chainCsv: string,
  underlying: string,
): Promise<DatedQuote[]> {
  const rows = await queryRows<Omit<DatedQuote, 'openInterest'> & { open_interest: number }>(
    db,
    `SELECT strftime(date, '%Y-%m-%d') AS date, strftime(expiry, '%Y-%m-%d') AS expiry, strike, "right", bid, ask, volume, open_interest
     FROM read_csv(${sqlString(chainCsv)}, header = true, columns = ${CHAIN_COLUMNS})
     WHERE underlying = ${sqlString(underlying)}
     ORDER BY date, expiry, strike, "right"`,
  );
  return rows.map((r) => ({
    date: r.date,
    expiry: r.expiry,
    strike: Number(r.strike),
    right: r.right,
    bid: Number(r.bid),
    ask: Number(r.ask),
    volume: Number(r.volume),
    openInterest: Number(r.open_interest),
  }));
}

/** The underlying's bars from a canonical equity_bars store, ordered by date. */
export async function readUnderlyingBars(
  db: DuckDBConnection,
  storeDir: string,
  underlying: string,
): Promise<UnderlyingBar[]> {
  const rows = await queryRows<UnderlyingBar>(
    db,
    `SELECT strftime(date, '%Y-%m-%d') AS date, strftime(ts, '%Y-%m-%d %H:%M:%S') AS ts, high, low, close, split_factor
     FROM read_parquet(${sqlString(join(storeDir, '**', '*.parquet'))}, hive_partitioning = true, hive_types = {'symbol': VARCHAR, 'year': INTEGER})
     WHERE symbol = ${sqlString(underlying)} ORDER BY date`,
  );
  const num = (x: number | null) => (x === null ? Number.NaN : Number(x));
  return rows.map((r) => ({
    ...r,
    high: num(r.high),
    low: num(r.low),
    close: Number(r.close),
    split_factor: Number(r.split_factor),
  }));
}
