import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDb, queryRows, sqlString } from '../data/store/duckdb.js';
import { writePartitionedParquet } from '../data/store/partitioned-writer.js';
import { SURFACE_COLUMNS, surfaceSeries, type ChainQuote, type SurfaceParams } from './options-surface.js';

export interface OptionsSurfaceSpec extends SurfaceParams {
  underlying: string;
  /** Sessions by which every value is delayed (0: the day's own end-of-day chain). */
  lag: number;
}

/**
 * Surface features of one underlying from end-of-day option chains (CSV) and the canonical bar
 * store, written as Parquet by symbol and year. Day t's row reads only day t's chain and the
 * underlying's unadjusted close of t (the spot the quotes were struck against), plus for IV rank
 * the ivx of earlier days; knowable_at is the close of the last session read. Days with a chain
 * but no bar are not silently dropped: they make the build fail, naming the date.
 */
export async function buildOptionsSurface(chainCsv: string, storeDir: string, spec: OptionsSurfaceSpec, outDir: string): Promise<{ rows: number; days: number }> {
  const { connection: db, close } = await openDuckDb(2);
  const scratch = mkdtempSync(join(tmpdir(), 'quanto-surface-'));
  try {
    const quotes = await queryRows<{ date: string; expiry: string; strike: number; right: 'C' | 'P'; bid: number; ask: number; volume: number; open_interest: number }>(
      db,
      `SELECT strftime(date, '%Y-%m-%d') AS date, strftime(expiry, '%Y-%m-%d') AS expiry, strike, "right", bid, ask, volume, open_interest
       FROM read_csv(${sqlString(chainCsv)}, header = true, columns = {'date': 'DATE', 'underlying': 'VARCHAR', 'expiry': 'DATE', 'strike': 'DOUBLE', 'right': 'VARCHAR',
         'bid': 'DOUBLE', 'ask': 'DOUBLE', 'last': 'DOUBLE', 'volume': 'DOUBLE', 'open_interest': 'DOUBLE', 'vendor_iv': 'DOUBLE', 'source': 'VARCHAR'})
       WHERE underlying = ${sqlString(spec.underlying)}
       ORDER BY date, expiry, strike, "right"`,
    );
    const bars = await queryRows<{ date: string; ts: string; close: number }>(
      db,
      `SELECT strftime(date, '%Y-%m-%d') AS date, strftime(ts, '%Y-%m-%d %H:%M:%S') AS ts, close
       FROM read_parquet(${sqlString(join(storeDir, '**', '*.parquet'))}, hive_partitioning = true, hive_types = {'symbol': VARCHAR, 'year': INTEGER})
       WHERE symbol = ${sqlString(spec.underlying)} ORDER BY date`,
    );
    const barByDate = new Map(bars.map((b) => [b.date, b]));
    const days: { date: string; spot: number; ts: string; chain: ChainQuote[] }[] = [];
    for (const q of quotes) {
      let day = days[days.length - 1];
      if (day?.date !== q.date) {
        const bar = barByDate.get(q.date);
        if (!bar) throw new Error(`options surface: the chain of ${spec.underlying} on ${q.date} has no canonical bar for that session (no spot); fix the bars or trim the chain's date range`);
        day = { date: q.date, spot: Number(bar.close), ts: bar.ts, chain: [] };
        days.push(day);
      }
      day.chain.push({ expiry: q.expiry, strike: Number(q.strike), right: q.right, bid: Number(q.bid), ask: Number(q.ask), volume: Number(q.volume), openInterest: Number(q.open_interest) });
    }
    const rows = surfaceSeries(days, spec);
    const lines = days.map((d, i) => {
      const source = i - spec.lag >= 0 ? { values: rows[i - spec.lag]!, ts: days[i - spec.lag]!.ts } : undefined;
      const values = SURFACE_COLUMNS.map((c) => (source ? source.values[c] : Number.NaN));
      return [spec.underlying, d.date, source?.ts ?? '', ...values.map((x) => (Number.isNaN(x) ? '' : String(x)))].join(',');
    });
    const csv = join(scratch, 'surface.csv');
    writeFileSync(csv, `${['symbol', 'date', 'knowable_at', ...SURFACE_COLUMNS].join(',')}\n${lines.join('\n')}\n`);
    const types = `{'symbol': 'VARCHAR', 'date': 'DATE', 'knowable_at': 'TIMESTAMP', ${SURFACE_COLUMNS.map((c) => `'${c}': 'DOUBLE'`).join(', ')}}`;
    await db.run(`CREATE TABLE surface AS SELECT * FROM read_csv(${sqlString(csv)}, header = true, columns = ${types})`);
    await writePartitionedParquet(db, 'surface', ['symbol', 'date', 'knowable_at', ...SURFACE_COLUMNS].map((c) => `"${c}"`).join(', '), join(outDir, 'features'), 1);
    return { rows: lines.length, days: days.length };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    close();
  }
}
