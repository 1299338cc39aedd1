import { join } from 'node:path';
import { openDuckDb, queryRows, sqlString } from '../data/store/duckdb.js';

/**
 * Some columns of one symbol's rows of a feature set (Parquet by symbol and year), aligned to
 * `dates` (NaN where the set has no value). Rows on or after `endExclusive` are not read.
 */
export async function loadFeatureColumns(featuresDir: string, symbol: string, columns: readonly string[], dates: readonly string[], endExclusive: string | null): Promise<Map<string, Float64Array>> {
  const { connection, close } = await openDuckDb(1);
  try {
    const source = `read_parquet(${sqlString(join(featuresDir, '**', '*.parquet'))}, hive_partitioning = true, hive_types = {'symbol': VARCHAR, 'year': INTEGER})`;
    const available = (await queryRows<{ column_name: string }>(connection, `SELECT column_name FROM (DESCRIBE SELECT * FROM ${source})`)).map((r) => r.column_name);
    const unknown = columns.filter((c) => !available.includes(c));
    if (unknown.length > 0) throw new Error(`the feature set in ${featuresDir} has no column ${unknown.join(', ')} (it has ${available.filter((c) => !['symbol', 'date', 'year', 'knowable_at'].includes(c)).join(', ')})`);
    const rows = await queryRows<Record<string, number | string | null>>(
      connection,
      `SELECT strftime(date, '%Y-%m-%d') AS date, ${columns.map((c) => `"${c}"`).join(', ')} FROM ${source}
       WHERE symbol = ${sqlString(symbol)}${endExclusive ? ` AND date < DATE ${sqlString(endExclusive)}` : ''} ORDER BY date`,
    );
    const at = new Map(dates.map((d, t) => [d, t]));
    const out = new Map(columns.map((c) => [c, new Float64Array(dates.length).fill(Number.NaN)]));
    for (const r of rows) {
      const t = at.get(r.date as string);
      if (t === undefined) continue;
      for (const c of columns) out.get(c)![t] = r[c] === null ? Number.NaN : Number(r[c]);
    }
    return out;
  } finally {
    close();
  }
}
