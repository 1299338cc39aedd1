import { join } from 'node:path';
import { openDuckDb } from '../data/store/duckdb.js';
import { writeRowsAsPartitionedParquet } from '../data/store/partitioned-writer.js';
import { readChainQuotes, readUnderlyingBars } from './chain-inputs.js';
import { hitStrikeLabels } from './hit-strike.js';

export const HIT_STRIKE_COLUMNS = ['hit_strike', 'hit_t1', 'sessions_to_hit'] as const;

/**
 * Hit-strike labels for every contract of an underlying's end-of-day chains, written as Parquet
 * by symbol and year, one row per (date, expiry, strike, right).
 */
export async function buildHitStrikeLabels(
  chainCsv: string,
  storeDir: string,
  underlying: string,
  outDir: string,
): Promise<{ rows: number; resolved: number }> {
  const { connection: db, close } = await openDuckDb(2);
  try {
    const quotes = await readChainQuotes(db, chainCsv, underlying);
    const bars = await readUnderlyingBars(db, storeDir, underlying);
    const labels = hitStrikeLabels(bars, quotes);
    const lines = quotes.map((q, i) => {
      const l = labels[i]!;
      return [
        underlying,
        q.date,
        q.expiry,
        q.strike,
        q.right,
        Number.isNaN(l.hit) ? '' : l.hit,
        l.t1,
        Number.isNaN(l.sessionsToHit) ? '' : l.sessionsToHit,
      ].join(',');
    });
    const columns = [
      ['symbol', 'VARCHAR'],
      ['date', 'DATE'],
      ['expiry', 'DATE'],
      ['strike', 'DOUBLE'],
      ['right', 'VARCHAR'],
      ['hit_strike', 'INTEGER'],
      ['hit_t1', 'DATE'],
      ['sessions_to_hit', 'INTEGER'],
    ] as const;
    await writeRowsAsPartitionedParquet(
      db,
      { columns, lines },
      join(outDir, 'labels'),
      1,
      'symbol, date, expiry, strike, "right"',
    );
    return { rows: lines.length, resolved: labels.filter((l) => !Number.isNaN(l.hit)).length };
  } finally {
    close();
  }
}
