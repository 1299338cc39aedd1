import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { dayOfIso, isoOf } from '../calendar/civil-date.js';
import { exchangeCalendar } from '../calendar/exchange-calendar.js';
import { newYorkTimeToUtc } from '../calendar/new-york-time.js';
import type { CorporateAction } from '../schemas/reference.js';
import { RAW_BAR_HEADER } from '../schemas/equity-bars.js';
import { DECIMAL_LITERAL, WHOLE_LITERAL } from '../schemas/numeric-literal.js';
import { openDuckDb, queryRows, sqlString } from '../store/duckdb.js';
import { writePartitionedParquet } from '../store/partitioned-writer.js';
import { finalSymbols } from '../universe/universe.js';
import { checkHeader } from './raw-csv.js';

export interface VendorInput {
  vendor: string;
  /** Raw bar shards (CSV in the raw format), with the names errors should use. */
  files: { path: string; display: string }[];
}

export type DuplicatePolicy = 'fail' | 'keep_first' | 'keep_last';

export interface CanonicalizeOptions {
  /** Highest precedence first: where two vendors have the same bar, the earlier one wins. */
  vendors: VendorInput[];
  duplicates: DuplicatePolicy;
  /** fail: the first bad rows are reported and nothing is written; quarantine: they go to rejects. */
  onInvalid: 'fail' | 'quarantine';
  exchange: string;
  corporateActions: CorporateAction[];
  outDir: string;
  /** Threads for reading and checking; writing always uses one, for byte-identical files. */
  threads?: number;
}

export interface ValidationReport {
  rows_in: number;
  rows_out: number;
  rejected: number;
  rejected_by_reason: Record<string, number>;
  duplicates_removed: Record<string, number>;
  rows_by_vendor: Record<string, number>;
  symbols: number;
  /** Sessions of the exchange calendar missing between a symbol's first and last bar. */
  gaps: Record<string, { missing: number; first_missing: string[] }>;
}

export class InvalidRowsError extends Error {
  constructor(
    message: string,
    readonly problems: { file: string; line: number; reason: string }[],
  ) {
    super(message);
  }
}

const PROBLEM_LIMIT = 20;

/**
 * Raw bar shards → canonical equity bars, validated, reconciled across vendors, adjusted, and
 * written as Parquet partitioned by symbol and year. The work is SQL in DuckDB (vectorised);
 * every rule a row can break is a query that names the file, the line and the reason.
 */
export async function canonicalizeEquityBars(options: CanonicalizeOptions): Promise<ValidationReport> {
  const { connection: db, close } = await openDuckDb(options.threads ?? 2);
  const t = stageTimer();
  try {
    await loadRaw(db, options.vendors);
    t('load raw');
    await loadSessions(db, options.exchange);
    t('sessions');
    await db.run(CHECKED_SQL);
    t('checks');
    await db.run(PROBLEMS_SQL);
    t('problems');
    await markDuplicates(db, options.duplicates);
    t('duplicates');
    const problemCount = Number((await queryRows<{ n: number }>(db, 'SELECT count(*) AS n FROM problems'))[0]!.n);
    if (problemCount > 0 && options.onInvalid === 'fail') await failWithProblems(db, problemCount);
    await loadCorporateActions(db, options.corporateActions);
    // Only several vendors, or renames that merge series, can put two rows on one symbol and date.
    const renames = options.corporateActions.some((a) => a.kind === 'rename');
    const reconcile = options.vendors.length > 1 || renames ? 'QUALIFY row_number() OVER (PARTITION BY coalesce(rn.final_symbol, v.symbol), v.date ORDER BY v.rank) = 1' : '';
    await db.run(FINAL_SQL.replace('__RECONCILE__', reconcile));
    t('final');
    mkdirSync(options.outDir, { recursive: true });
    await writePartitionedParquet(
      db,
      'final',
      'symbol, traded_symbol, date, ts, interval, open, high, low, close, volume, vwap, trades, vendor, split_factor, adj_factor',
      join(options.outDir, 'equity_bars'),
      options.threads ?? 2,
    );
    if (problemCount > 0) {
      await db.run('SET threads = 1');
      await db.run(
        `COPY (SELECT source_file AS file, source_line AS line, symbol, reason FROM problems ORDER BY source_file, source_line, reason)
         TO ${sqlString(join(options.outDir, 'rejects.parquet'))} (FORMAT PARQUET, COMPRESSION ZSTD)`,
      );
    }
    t('copy');
    const report = await buildReport(db);
    t('report');
    writeFileSync(join(options.outDir, 'validation.json'), `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    close();
  }
}

async function loadRaw(db: DuckDBConnection, vendors: VendorInput[]): Promise<void> {
  // Raw text is kept beside the parsed values: error messages quote what the file said.
  await db.run(`CREATE TABLE raw (symbol VARCHAR, ts_text VARCHAR, open_text VARCHAR, high_text VARCHAR, low_text VARCHAR, close_text VARCHAR,
                 volume_text VARCHAR, vwap_text VARCHAR, trades_text VARCHAR, file_index INTEGER,
                 date DATE, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume BIGINT, vwap DOUBLE, trades BIGINT)`);
  await db.run('CREATE TABLE files (file_index INTEGER, vendor VARCHAR, rank INTEGER, display VARCHAR, first_rowid BIGINT)');
  const columns = `{${RAW_BAR_HEADER.map((c) => `'${c}': 'VARCHAR'`).join(', ')}}`;
  let index = 0;
  for (const [rank, input] of vendors.entries()) {
    for (const file of input.files) {
      checkHeader(file.path, file.display, RAW_BAR_HEADER);
      // Rows keep file order in the table (insertion order is preserved), so a row's line is
      // its rowid less the file's first rowid, plus one for the header: no window over the file.
      const first = Number((await queryRows<{ n: number }>(db, 'SELECT count(*) AS n FROM raw'))[0]!.n);
      await db.run(`INSERT INTO files VALUES (${index}, ${sqlString(input.vendor)}, ${rank}, ${sqlString(file.display)}, ${first})`);
      await insertRawShard(db, file, `INSERT INTO raw SELECT symbol, ts, open, high, low, close, volume, vwap, trades, ${index},
           CASE WHEN regexp_full_match(ts, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN TRY_CAST(ts AS DATE) END,
           ${strictNumber('open', 'DOUBLE')}, ${strictNumber('high', 'DOUBLE')}, ${strictNumber('low', 'DOUBLE')},
           ${strictNumber('close', 'DOUBLE')}, ${strictNumber('volume', 'BIGINT')},
           ${strictNumber('vwap', 'DOUBLE')}, ${strictNumber('trades', 'BIGINT')}
         FROM read_csv(${sqlString(file.path)}, header = true, columns = ${columns}, quote = '"', escape = '"', null_padding = false, delim = ',', auto_detect = false)`);
      index += 1;
    }
  }
}

/**
 * A raw field cast only when it matches the numeric-literal grammar exactly; otherwise NULL, so
 * the checks below reject its row with its file and line instead of DuckDB's lenient cast
 * changing the value (schemas/numeric-literal.ts says how).
 */
function strictNumber(column: string, type: 'DOUBLE' | 'BIGINT'): string {
  const value = type === 'BIGINT' ? `TRY_CAST(TRY_CAST(${column} AS DOUBLE) AS BIGINT)` : `TRY_CAST(${column} AS DOUBLE)`;
  return `CASE WHEN regexp_full_match(${column}, '${type === 'BIGINT' ? WHOLE_LITERAL : DECIMAL_LITERAL}') THEN ${value} END`;
}

/**
 * Runs the INSERT of one shard. The dialect is given whole (no sniffing), so a malformed row is
 * DuckDB's "CSV Error on Line: N", which is turned into the source file and line; otherwise a
 * short row would surface as a dump of the sniffer's search space naming a path in the cache.
 */
async function insertRawShard(db: DuckDBConnection, file: { display: string }, sql: string): Promise<void> {
  try {
    await db.run(sql);
  } catch (err) {
    const message = (err as Error).message;
    const line = /CSV Error on Line: (\d+)/.exec(message)?.[1];
    const columns = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
    if (line && columns) throw new Error(`${file.display}:${line}: ${columns[2]} fields where the raw bar format has ${columns[1]} (${RAW_BAR_HEADER.join(',')}): fix the row, or the adapter that wrote it`);
    if (line) throw new Error(`${file.display}:${line}: ${message.split('\n')[0]!.replace(/^Invalid Input Error: /, '')}`);
    throw err;
  }
}

/** The exchange's sessions over the data's span, with each session's close as a UTC instant. */
async function loadSessions(db: DuckDBConnection, exchange: string): Promise<void> {
  const calendar = exchangeCalendar(exchange);
  const span = await queryRows<{ lo: string | null; hi: string | null }>(
    db,
    `SELECT strftime(min(date), '%Y-%m-%d') AS lo, strftime(max(date), '%Y-%m-%d') AS hi FROM raw`,
  );
  await db.run('CREATE TABLE sessions (date DATE PRIMARY KEY, ts TIMESTAMP)');
  const { lo, hi } = span[0]!;
  if (!lo || !hi) return;
  const from = isoOf(Math.max(dayOfIso(lo), dayOfIso('1990-01-01'))) as Parameters<typeof calendar.sessions>[0];
  const to = hi as Parameters<typeof calendar.sessions>[1];
  if (to < from) return;
  const early = new Map(calendar.earlyCloses(from, to).map((e) => [e.date, e.close]));
  const values = calendar.sessions(from, to).map((d) => `('${d}', '${newYorkTimeToUtc(d, early.get(d) ?? calendar.regularClose).replace('Z', '')}')`);
  for (let i = 0; i < values.length; i += 5000) await db.run(`INSERT INTO sessions VALUES ${values.slice(i, i + 5000).join(',')}`);
}

/**
 * Every row with where it came from and the list of rules it breaks (usually empty). The
 * window (the previous row of the same symbol in the same file) finds time going backwards.
 * DuckDB's date cast forgives trailing characters, so dates were parsed only when exactly
 * YYYY-MM-DD; NaN compares above every number, so price order is checked on finite prices only.
 */
const CHECKED_SQL = `
CREATE TABLE checked AS
WITH located AS (
  SELECT r.*, f.vendor, f.rank, f.display AS source_file, r.rowid - f.first_rowid + 2 AS source_line,
         s.date IS NOT NULL AS is_session,
         coalesce(NOT (isnan(r.open) OR isnan(r.high) OR isnan(r.low) OR isnan(r.close) OR isinf(r.open) OR isinf(r.high) OR isinf(r.low) OR isinf(r.close)), true) AS finite
  FROM raw r JOIN files f USING (file_index) LEFT JOIN sessions s ON s.date = r.date
), ordered AS (
  SELECT *, lag(date) OVER w AS previous_date, lag(source_line) OVER w AS previous_line
  FROM located WINDOW w AS (PARTITION BY file_index, symbol ORDER BY source_line)
)
SELECT * EXCLUDE (previous_date, previous_line, finite, is_session), list_filter([
    CASE WHEN symbol IS NULL OR NOT regexp_full_match(symbol, '[A-Z0-9^][A-Z0-9.^-]*') THEN 'symbol ' || coalesce('''' || symbol || '''', 'missing') || ' is not an upper-case ticker' END,
    CASE WHEN date IS NULL THEN 'timestamp ' || coalesce('''' || ts_text || '''', 'missing') || ' is not a date' END,
    CASE WHEN date IS NOT NULL AND NOT is_session THEN 'date ' || strftime(date, '%Y-%m-%d') || ' is not a session of the exchange calendar' END,
    CASE WHEN open IS NULL AND NULLIF(open_text, '') IS NOT NULL THEN 'open ''' || open_text || ''' is not a number' END,
    CASE WHEN high IS NULL AND NULLIF(high_text, '') IS NOT NULL THEN 'high ''' || high_text || ''' is not a number' END,
    CASE WHEN low IS NULL AND NULLIF(low_text, '') IS NOT NULL THEN 'low ''' || low_text || ''' is not a number' END,
    CASE WHEN close IS NULL AND NULLIF(close_text, '') IS NOT NULL THEN 'close ''' || close_text || ''' is not a number' END,
    CASE WHEN NULLIF(close_text, '') IS NULL THEN 'close is missing' END,
    CASE WHEN volume IS NULL AND NULLIF(volume_text, '') IS NOT NULL THEN 'volume ''' || volume_text || ''' is not a whole number' END,
    CASE WHEN vwap IS NULL AND NULLIF(vwap_text, '') IS NOT NULL THEN 'vwap ''' || vwap_text || ''' is not a number' END,
    CASE WHEN trades IS NULL AND NULLIF(trades_text, '') IS NOT NULL THEN 'trades ''' || trades_text || ''' is not a whole number' END,
    CASE WHEN NOT finite THEN 'a price is NaN or infinite' END,
    CASE WHEN open <= 0 OR high <= 0 OR low <= 0 OR close <= 0 THEN 'a price is zero or negative' END,
    CASE WHEN volume < 0 THEN 'volume is negative' END,
    CASE WHEN finite AND low > high THEN 'low ' || low || ' is above high ' || high END,
    CASE WHEN finite AND (low > open OR low > close) THEN 'low ' || low || ' is above open or close' END,
    CASE WHEN finite AND (high < open OR high < close) THEN 'high ' || high || ' is below open or close' END,
    CASE WHEN date < previous_date THEN 'timestamp ' || strftime(date, '%Y-%m-%d') || ' goes back in time (line ' || previous_line || ' has ' || strftime(previous_date, '%Y-%m-%d') || ')' END
  ], x -> x IS NOT NULL) AS reasons
FROM ordered`;

/** One row per (file, line, reason); a row with several problems is listed under each. */
const PROBLEMS_SQL = `
CREATE TABLE problems AS
SELECT source_file, source_line, symbol, vendor, unnest(reasons) AS reason FROM checked WHERE len(reasons) > 0`;

async function markDuplicates(db: DuckDBConnection, policy: DuplicatePolicy): Promise<void> {
  // Within one vendor, several valid rows for one symbol and date: keep one by policy, or fail
  // on them all. Only keys that repeat go through the window.
  await db.run(`CREATE TABLE valid AS SELECT * EXCLUDE (reasons) FROM checked WHERE len(reasons) = 0`);
  await db.run(`CREATE TABLE repeated AS SELECT vendor, symbol, date FROM valid GROUP BY ALL HAVING count(*) > 1`);
  await db.run(`CREATE TABLE dropped AS SELECT source_file, source_line, vendor, symbol, date FROM (
      SELECT v.*, row_number() OVER (PARTITION BY v.vendor, v.symbol, v.date ORDER BY v.file_index, v.source_line ${policy === 'keep_last' ? 'DESC' : 'ASC'}) AS copy
      FROM valid v SEMI JOIN repeated USING (vendor, symbol, date)) WHERE ${policy === 'fail' ? 'true' : 'copy > 1'}`);
  if (policy === 'fail') {
    await db.run(`INSERT INTO problems SELECT source_file, source_line, symbol, vendor,
        'duplicate bar for ' || symbol || ' on ' || strftime(date, '%Y-%m-%d') || ' (duplicates: fail)' FROM dropped`);
  }
}

async function failWithProblems(db: DuckDBConnection, count: number): Promise<never> {
  const rows = await queryRows<{ source_file: string; source_line: number; reason: string }>(
    db,
    `SELECT source_file, source_line, reason FROM problems ORDER BY source_file, source_line, reason LIMIT ${PROBLEM_LIMIT}`,
  );
  const problems = rows.map((r) => ({ file: r.source_file, line: Number(r.source_line), reason: r.reason }));
  const more = count > rows.length ? `\n  ... and ${count - rows.length} more` : '';
  throw new InvalidRowsError(
    `${count} invalid row(s) in the raw bars:\n  ${problems.map((p) => `${p.file}:${p.line}: ${p.reason}`).join('\n  ')}${more}\n` +
      'Fix the source, or set on_invalid: quarantine to set such rows aside in rejects.parquet.',
    problems,
  );
}

async function loadCorporateActions(db: DuckDBConnection, actions: CorporateAction[]): Promise<void> {
  await db.run('CREATE TABLE renames (symbol VARCHAR, final_symbol VARCHAR)');
  const finals = finalSymbols(actions.filter((a) => a.kind === 'rename'));
  if (finals.size > 0) await db.run(`INSERT INTO renames VALUES ${[...finals].map(([from, to]) => `(${sqlString(from)}, ${sqlString(to)})`).join(',')}`);
  await db.run('CREATE TABLE splits (symbol VARCHAR, ex_date DATE, ratio DOUBLE)');
  await db.run('CREATE TABLE dividends (symbol VARCHAR, ex_date DATE, amount DOUBLE)');
  const splits = actions.filter((a) => a.kind === 'split');
  const dividends = actions.filter((a) => a.kind === 'dividend');
  // Actions recorded under a ticker's old name apply to its continuous series.
  const series = (symbol: string) => sqlString(finals.get(symbol) ?? symbol);
  if (splits.length > 0) await db.run(`INSERT INTO splits VALUES ${splits.map((s) => `(${series(s.symbol)}, '${s.ex_date}', ${s.ratio})`).join(',')}`);
  if (dividends.length > 0) await db.run(`INSERT INTO dividends VALUES ${dividends.map((d) => `(${series(d.symbol)}, '${d.ex_date}', ${d.amount})`).join(',')}`);
}

/**
 * Valid rows, one per vendor, symbol and date; across vendors the highest precedence wins.
 * A renamed ticker's rows continue under its final symbol, the symbol as traded kept beside it.
 * Backward adjustment: split_factor = 1 / product of split ratios after the date; adj_factor
 * also multiplies (1 - dividend / previous close) for each later ex-date (CRSP-style).
 */
const FINAL_SQL = `
CREATE TABLE chosen AS
SELECT v.* REPLACE (coalesce(rn.final_symbol, v.symbol) AS symbol), v.symbol AS traded_symbol
FROM valid v LEFT JOIN renames rn ON rn.symbol = v.symbol
ANTI JOIN dropped d ON d.source_file = v.source_file AND d.source_line = v.source_line
__RECONCILE__;

CREATE TABLE split_factors AS
SELECT c.symbol, c.date, 1 / exp(sum(ln(sp.ratio))) AS factor
FROM chosen c JOIN splits sp ON sp.symbol = c.symbol AND sp.ex_date > c.date GROUP BY ALL;

CREATE TABLE dividend_factors AS
SELECT d.symbol, d.ex_date,
       1 - d.amount / (SELECT c.close FROM chosen c WHERE c.symbol = d.symbol AND c.date < d.ex_date ORDER BY c.date DESC LIMIT 1) AS factor
FROM dividends d;

CREATE TABLE cum_dividend_factors AS
SELECT c.symbol, c.date, exp(sum(ln(f.factor))) AS factor
FROM chosen c JOIN dividend_factors f ON f.symbol = c.symbol AND f.ex_date > c.date GROUP BY ALL;

CREATE TABLE final AS
SELECT c.symbol, c.traded_symbol, c.date, s.ts, '1d' AS interval, c.open, c.high, c.low, c.close, c.volume, c.vwap, c.trades, c.vendor,
       coalesce(sf.factor, 1) AS split_factor, coalesce(sf.factor, 1) * coalesce(df.factor, 1) AS adj_factor
FROM chosen c JOIN sessions s ON s.date = c.date
LEFT JOIN split_factors sf ON sf.symbol = c.symbol AND sf.date = c.date
LEFT JOIN cum_dividend_factors df ON df.symbol = c.symbol AND df.date = c.date`;

async function buildReport(db: DuckDBConnection): Promise<ValidationReport> {
  const one = async (sql: string) => Number((await queryRows<{ n: number }>(db, sql))[0]!.n);
  const byReason = await queryRows<{ reason: string; n: number }>(
    db,
    `SELECT regexp_replace(reason, '''[^'']*''|[0-9][0-9.:-]*', '…', 'g') AS reason, count(*) AS n FROM problems GROUP BY 1 ORDER BY 1`,
  );
  const dups = await queryRows<{ vendor: string; n: number }>(db, `SELECT vendor, count(*) AS n FROM dropped GROUP BY vendor ORDER BY vendor`);
  const byVendor = await queryRows<{ vendor: string; n: number }>(db, `SELECT vendor, count(*) AS n FROM final GROUP BY vendor ORDER BY vendor`);
  const gaps = await queryRows<{ symbol: string; missing: number; first_missing: string[] }>(
    db,
    `WITH spans AS (SELECT symbol, min(date) AS lo, max(date) AS hi FROM final GROUP BY symbol),
          expected AS (SELECT sp.symbol, s.date FROM spans sp JOIN sessions s ON s.date BETWEEN sp.lo AND sp.hi),
          missing AS (SELECT e.symbol, e.date FROM expected e ANTI JOIN final f ON f.symbol = e.symbol AND f.date = e.date)
     SELECT symbol, count(*) AS missing, list(strftime(date, '%Y-%m-%d') ORDER BY date)[1:5] AS first_missing FROM missing GROUP BY symbol ORDER BY symbol`,
  );
  return {
    rows_in: await one('SELECT count(*) AS n FROM raw'),
    rows_out: await one('SELECT count(*) AS n FROM final'),
    rejected: await one('SELECT count(DISTINCT (source_file, source_line)) AS n FROM problems'),
    rejected_by_reason: Object.fromEntries(byReason.map((r) => [r.reason, Number(r.n)])),
    duplicates_removed: Object.fromEntries(dups.map((r) => [r.vendor, Number(r.n)])),
    rows_by_vendor: Object.fromEntries(byVendor.map((r) => [r.vendor, Number(r.n)])),
    symbols: await one('SELECT count(DISTINCT symbol) AS n FROM final'),
    gaps: Object.fromEntries(gaps.map((g) => [g.symbol, { missing: Number(g.missing), first_missing: g.first_missing }])),
  };
}

/** QUANTO_TRACE=1: how long each stage took, on stderr. */
function stageTimer(): (stage: string) => void {
  let last = performance.now();
  return (stage) => {
    if (!process.env.QUANTO_TRACE) return;
    const now = performance.now();
    process.stderr.write(`canonicalize: ${stage.padEnd(12)} ${(now - last).toFixed(0)} ms\n`);
    last = now;
  };
}
