import { join } from 'node:path';
import { openDuckDb, queryRows, sqlString } from '../data/store/duckdb.js';

/**
 * Some columns of a feature set (Parquet by symbol and year) for several symbols, aligned to
 * `dates`: column -> [symbol][t] (NaN where the set has no value). Rows on or after
 * `endExclusive` are not read.
 */
export async function loadFeaturePanel(
  featuresDir: string,
  symbols: readonly string[],
  columns: readonly string[],
  dates: readonly string[],
  endExclusive: string | null,
): Promise<Map<string, Float64Array[]>> {
  const { connection, close } = await openDuckDb(1);
  try {
    const source = await featureSource(connection, featuresDir, columns);
    const rows = await queryRows<Record<string, number | string | null>>(
      connection,
      `SELECT symbol, strftime(date, '%Y-%m-%d') AS date, ${columns.map((c) => `"${c}"`).join(', ')} FROM ${source}
       WHERE symbol IN (${symbols.map(sqlString).join(', ')})${endExclusive ? ` AND date < DATE ${sqlString(endExclusive)}` : ''} ORDER BY symbol, date`,
    );
    const at = new Map(dates.map((d, t) => [d, t]));
    const index = new Map(symbols.map((s, i) => [s, i]));
    const out = new Map(columns.map((c) => [c, symbols.map(() => new Float64Array(dates.length).fill(Number.NaN))]));
    for (const r of rows) {
      const t = at.get(r.date as string);
      if (t === undefined) continue;
      const s = index.get(r.symbol as string)!;
      for (const c of columns) out.get(c)![s]![t] = r[c] === null ? Number.NaN : Number(r[c]);
    }
    return out;
  } finally {
    close();
  }
}

/** The feature set's Parquet as a DuckDB source, after checking it has `columns` (an error lists those it has). */
async function featureSource(
  connection: Parameters<typeof queryRows>[0],
  featuresDir: string,
  columns: readonly string[],
): Promise<string> {
  const source = `read_parquet(${sqlString(join(featuresDir, '**', '*.parquet'))}, hive_partitioning = true, hive_types = {'symbol': VARCHAR, 'year': INTEGER})`;
  const available = (
    await queryRows<{ column_name: string }>(connection, `SELECT column_name FROM (DESCRIBE SELECT * FROM ${source})`)
  ).map((r) => r.column_name);
  const unknown = columns.filter((c) => !available.includes(c));
  if (unknown.length > 0)
    throw new Error(
      `the feature set in ${featuresDir} has no column ${unknown.join(', ')} (it has ${available.filter((c) => !['symbol', 'date', 'year', 'knowable_at'].includes(c)).join(', ')})`,
    );
  return source;
}

/**
 * One column of a feature set, every symbol and date: symbol -> date -> value, holding only
 * values that are numbers and knowable by their own date's close (knowable_at on or before it),
 * so a reader deciding on date t from the value of t reads nothing it could not have known.
 */
export async function loadKnowableFeatureColumn(
  featuresDir: string,
  column: string,
  /** Only these symbols' values (every symbol's when absent). */
  symbols?: readonly string[],
): Promise<Map<string, Map<string, number>>> {
  const { connection, close } = await openDuckDb(1);
  try {
    const source = await featureSource(connection, featuresDir, [column]);
    const rows = await queryRows<{ symbol: string; date: string; value: number }>(
      connection,
      `SELECT symbol, strftime(date, '%Y-%m-%d') AS date, CAST("${column}" AS DOUBLE) AS value FROM ${source}
       WHERE "${column}" IS NOT NULL AND isfinite(CAST("${column}" AS DOUBLE)) AND CAST(knowable_at AS DATE) <= date${
         symbols ? ` AND symbol IN (${symbols.map(sqlString).join(', ') || 'NULL'})` : ''
       }
       ORDER BY symbol, date`,
    );
    const out = new Map<string, Map<string, number>>();
    for (const r of rows) {
      let bySymbol = out.get(r.symbol);
      if (!bySymbol) out.set(r.symbol, (bySymbol = new Map()));
      bySymbol.set(r.date, r.value);
    }
    return out;
  } finally {
    close();
  }
}

/** Some columns of one symbol's rows of a feature set, aligned to `dates` (NaN where the set has no value). */
export async function loadFeatureColumns(
  featuresDir: string,
  symbol: string,
  columns: readonly string[],
  dates: readonly string[],
  endExclusive: string | null,
): Promise<Map<string, Float64Array>> {
  const panel = await loadFeaturePanel(featuresDir, [symbol], columns, dates, endExclusive);
  return new Map([...panel].map(([c, bySymbol]) => [c, bySymbol[0]!]));
}
