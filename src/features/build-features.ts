import { join } from 'node:path';
import { openDuckDb, queryRows, sqlString } from '../data/store/duckdb.js';
import { writeRowsAsPartitionedParquet } from '../data/store/partitioned-writer.js';
import { computeFeatureSet, crossSectional, crossSectionalColumns, type FeatureSet } from './feature-set.js';

/**
 * A feature set over a canonical bar store, written as Parquet partitioned by symbol and year:
 * symbol, date, knowable_at (the close, in UTC, of the last bar the values read: the bar's own
 * close, or with a lag the close of the bar `lag` sessions earlier), then the feature columns.
 * Prices are split-adjusted (or as the contract says), so a split is not a return.
 */
export async function buildFeatures(
  storeDir: string,
  set: FeatureSet,
  adjust: 'none' | 'splits' | 'total',
  outDir: string,
  writers: number,
): Promise<{ rows: number; symbols: number; columns: string[] }> {
  const factor = adjust === 'none' ? '1.0' : adjust === 'splits' ? 'split_factor' : 'adj_factor';
  const { connection: db, close } = await openDuckDb(2);
  try {
    const bars = await queryRows<{
      symbol: string;
      date: string;
      ts: string;
      open: number | null;
      high: number | null;
      low: number | null;
      close: number;
      volume: number | null;
    }>(
      db,
      `SELECT symbol, strftime(date, '%Y-%m-%d') AS date, strftime(ts, '%Y-%m-%d %H:%M:%S') AS ts,
              open * ${factor} AS open, high * ${factor} AS high, low * ${factor} AS low, close * ${factor} AS close,
              volume / ${adjust === 'none' ? '1.0' : 'split_factor'} AS volume
       FROM read_parquet(${sqlString(join(storeDir, '**', '*.parquet'))}, hive_partitioning = true, hive_types = {'symbol': VARCHAR, 'year': INTEGER})
       ORDER BY symbol, date`,
    );
    let columns: string[] = computeFeatureSet(set, { open: [], high: [], low: [], close: [], volume: [] }).columns;
    const num = (x: number | null) => (x === null ? Number.NaN : Number(x));
    const table: { symbol: string; date: string; knowable: string; values: number[] }[] = [];
    for (let start = 0; start < bars.length;) {
      let end = start;
      while (end < bars.length && bars[end]!.symbol === bars[start]!.symbol) end++;
      const rows = bars.slice(start, end);
      const result = computeFeatureSet(set, {
        open: rows.map((r) => num(r.open)),
        high: rows.map((r) => num(r.high)),
        low: rows.map((r) => num(r.low)),
        close: rows.map((r) => num(r.close)),
        volume: rows.map((r) => num(r.volume)),
      });
      rows.forEach((r, i) =>
        table.push({
          symbol: r.symbol,
          date: r.date,
          knowable: i - set.lag >= 0 ? rows[i - set.lag]!.ts : '',
          values: result.values.map((v) => v[i]!),
        }),
      );
      start = end;
    }
    // Cross-sectional columns, across all symbols of each date.
    const cs = crossSectional(
      set,
      table.map((r) => r.date),
      (name) => table.map((r) => r.values[columns.indexOf(name)]!),
    );
    columns = [...columns, ...crossSectionalColumns(set)];
    const lines = table.map((r, i) =>
      [
        r.symbol,
        r.date,
        r.knowable,
        ...[...r.values, ...cs.map((c) => c[i]!)].map((x) => (Number.isNaN(x) ? '' : String(x))),
      ].join(','),
    );
    const types = columns.map((c) => [c, 'DOUBLE'] as const);
    await writeRowsAsPartitionedParquet(
      db,
      { columns: [['symbol', 'VARCHAR'], ['date', 'DATE'], ['knowable_at', 'TIMESTAMP'], ...types], lines },
      join(outDir, 'features'),
      writers,
    );
    return { rows: lines.length, symbols: new Set(bars.map((b) => b.symbol)).size, columns };
  } finally {
    close();
  }
}
