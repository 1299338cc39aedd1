import { join } from 'node:path';
import { openDuckDb } from '../data/store/duckdb.js';
import { writeRowsAsPartitionedParquet } from '../data/store/partitioned-writer.js';
import { readChainQuotes, readUnderlyingBars } from './chain-inputs.js';
import { surfaceSeries, type ChainQuote, type SurfaceParams } from './options-surface.js';
import { coverageShortfalls, selectedColumns, type SurfaceFeature } from './surface-selection.js';

export interface OptionsSurfaceSpec extends SurfaceParams {
  underlying: string;
  /** Sessions by which every value is delayed (0: the day's own end-of-day chain). */
  lag: number;
  /** The features published (each with its coverage flag). */
  features: readonly SurfaceFeature[];
  /** The least share of days each published feature must have a value on; below it the build fails. */
  minCoverage: number;
}

/**
 * Surface features of one underlying from end-of-day option chains (CSV) and the canonical bar
 * store, written as Parquet by symbol and year. Day t's row reads only day t's chain and the
 * underlying's unadjusted close of t (the spot the quotes were struck against), plus for IV rank
 * the ivx of earlier days; knowable_at is the close of the last session read. Days with a chain
 * but no bar are not silently dropped: they make the build fail, naming the date.
 */
export async function buildOptionsSurface(
  chainCsv: string,
  storeDir: string,
  spec: OptionsSurfaceSpec,
  outDir: string,
): Promise<{ rows: number; days: number; columns: string[] }> {
  const { connection: db, close } = await openDuckDb(2);
  try {
    const quotes = await readChainQuotes(db, chainCsv, spec.underlying);
    const bars = await readUnderlyingBars(db, storeDir, spec.underlying);
    const barByDate = new Map(bars.map((b) => [b.date, b]));
    const days: { date: string; spot: number; ts: string; chain: ChainQuote[] }[] = [];
    for (const q of quotes) {
      let day = days[days.length - 1];
      if (day?.date !== q.date) {
        const bar = barByDate.get(q.date);
        if (!bar)
          throw new Error(
            `options surface: the chain of ${spec.underlying} on ${q.date} has no canonical bar for that session (no spot); fix the bars or trim the chain's date range`,
          );
        day = { date: q.date, spot: bar.close, ts: bar.ts, chain: [] };
        days.push(day);
      }
      day.chain.push(q);
    }
    const rows = surfaceSeries(days, spec);
    const sparse = coverageShortfalls(rows, spec.features, spec.minCoverage, spec.rankWindow);
    if (sparse.length > 0) {
      const list = sparse.map((s) => `${s.feature} (${(100 * s.coverage).toFixed(1)}% of days)`).join(', ');
      throw new Error(
        `options surface: the chains of ${spec.underlying} support ${list}, below min_coverage ${spec.minCoverage}; remove ${sparse.length === 1 ? 'it' : 'them'} from features or lower min_coverage`,
      );
    }
    const columns = selectedColumns(spec.features);
    const lines = days.map((d, i) => {
      const source = i - spec.lag >= 0 ? { values: rows[i - spec.lag]!, ts: days[i - spec.lag]!.ts } : undefined;
      // Before the first session a lag can reach, nothing is known: values empty, coverage 0.
      const values = columns.map((c) => (source ? source.values[c] : c.endsWith('_coverage') ? 0 : Number.NaN));
      return [spec.underlying, d.date, source?.ts ?? '', ...values.map((x) => (Number.isNaN(x) ? '' : String(x)))].join(
        ',',
      );
    });
    const types = columns.map((c) => [c, 'DOUBLE'] as const);
    await writeRowsAsPartitionedParquet(
      db,
      { columns: [['symbol', 'VARCHAR'], ['date', 'DATE'], ['knowable_at', 'TIMESTAMP'], ...types], lines },
      join(outDir, 'features'),
      1,
    );
    return { rows: lines.length, days: days.length, columns };
  } finally {
    close();
  }
}
