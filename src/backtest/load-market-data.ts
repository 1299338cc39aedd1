import { join } from 'node:path';
import { openDuckDb, queryRows, sqlString } from '../data/store/duckdb.js';
import type { CostModel } from '../costs/cost-model.js';
import type { MarketData } from './market-data.js';

export interface MarketDataQuery {
  /** The canonical bar store (a directory of Parquet by symbol and year). */
  storeDir: string;
  /** Symbols to load; empty for every symbol in the store. */
  symbols: readonly string[];
  adjust: 'none' | 'splits' | 'total';
  /** First session (inclusive), or null for the store's first. */
  start: string | null;
  /**
   * First session NOT read (exclusive), or null to read to the end. The out-of-sample reserve
   * is enforced here, in the query: rows on or after it never leave the store.
   */
  endExclusive: string | null;
}

/** The rows of a query: its symbols and period, the reserve's end excluded. */
function barsWhere(q: Omit<MarketDataQuery, 'adjust'>): string {
  return [
    q.symbols.length > 0 ? `symbol IN (${q.symbols.map(sqlString).join(', ')})` : 'TRUE',
    q.start ? `date >= DATE ${sqlString(q.start)}` : 'TRUE',
    q.endExclusive ? `date < DATE ${sqlString(q.endExclusive)}` : 'TRUE',
  ].join(' AND ');
}

/**
 * The sessions the symbols have bars on in a period, sorted: the calendar alone, no price.
 * Counting sessions into a reserve this way reveals nothing a strategy could learn from.
 */
export async function loadSessionDates(q: Omit<MarketDataQuery, 'adjust'>): Promise<string[]> {
  const where = barsWhere(q);
  const { connection, close } = await openDuckDb(1);
  try {
    const rows = await queryRows<{ date: string }>(
      connection,
      `SELECT DISTINCT strftime(date, '%Y-%m-%d') AS date
       FROM read_parquet(${sqlString(join(q.storeDir, '**', '*.parquet'))}, hive_partitioning = true, hive_types = {'symbol': VARCHAR, 'year': INTEGER})
       WHERE ${where}
       ORDER BY date`,
    );
    return rows.map((r) => r.date);
  } finally {
    close();
  }
}

/**
 * Canonical bars as a MarketData on the union of the symbols' sessions (sorted), each symbol
 * NaN on the sessions it has no bar; prices adjusted as asked, so a split is not a return.
 */
export async function loadMarketData(q: MarketDataQuery): Promise<MarketData> {
  const factor = q.adjust === 'none' ? '1.0' : q.adjust === 'splits' ? 'split_factor' : 'adj_factor';
  const where = barsWhere(q);
  const { connection, close } = await openDuckDb(1);
  let rows: {
    symbol: string;
    date: string;
    open: number | null;
    high: number | null;
    low: number | null;
    close: number | null;
    volume: number | null;
  }[];
  try {
    rows = await queryRows(
      connection,
      `SELECT symbol, strftime(date, '%Y-%m-%d') AS date, open * ${factor} AS open, high * ${factor} AS high, low * ${factor} AS low,
              close * ${factor} AS close, volume / ${q.adjust === 'none' ? '1.0' : 'split_factor'} AS volume
       FROM read_parquet(${sqlString(join(q.storeDir, '**', '*.parquet'))}, hive_partitioning = true, hive_types = {'symbol': VARCHAR, 'year': INTEGER})
       WHERE ${where}
       ORDER BY symbol, date`,
    );
  } finally {
    close();
  }
  const symbols = [...new Set(rows.map((r) => r.symbol))].sort();
  const missing = q.symbols.filter((s) => !symbols.includes(s));
  if (missing.length > 0)
    throw new Error(
      `no bars for ${missing.join(', ')} in ${q.storeDir} between ${q.start ?? 'the start'} and ${q.endExclusive ?? 'the end'}: check the symbols and the period`,
    );
  const dates = [...new Set(rows.map((r) => r.date))].sort();
  const at = new Map(dates.map((d, t) => [d, t]));
  const index = new Map(symbols.map((s, i) => [s, i]));
  const column = () => symbols.map(() => new Float64Array(dates.length).fill(Number.NaN));
  const data = { open: column(), high: column(), low: column(), close: column(), volume: column() };
  const num = (x: number | null) => (x === null ? Number.NaN : Number(x));
  for (const r of rows) {
    const s = index.get(r.symbol)!;
    const t = at.get(r.date)!;
    data.open[s]![t] = num(r.open);
    data.high[s]![t] = num(r.high);
    data.low[s]![t] = num(r.low);
    data.close[s]![t] = num(r.close);
    data.volume[s]![t] = num(r.volume);
  }
  return { dates, symbols, ...data };
}

/** Checks the bars can carry the cost model's assumptions, naming the symbol and what to change. */
export function checkTradable(data: MarketData, costs: CostModel, source: string): void {
  const hasAny = (xs: Float64Array) => xs.some((x) => !Number.isNaN(x));
  for (let s = 0; s < data.symbols.length; s++) {
    if (costs.execution.price === 'open' && !hasAny(data.open[s]!))
      throw new Error(
        `${data.symbols[s]} in ${source} has no opening prices, so orders cannot fill at the open: set costs.execution.price to close`,
      );
    if (costs.slippage.volume_share && !hasAny(data.volume[s]!))
      throw new Error(
        `${data.symbols[s]} in ${source} has no volume, so the volume-share slippage model cannot apply: remove costs.slippage.volume_share`,
      );
  }
}
