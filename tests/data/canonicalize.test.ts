import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalizeEquityBars, InvalidRowsError, type CanonicalizeOptions } from '../../src/data/canonicalize/equity-bars.js';
import { getBars } from '../../src/data/query/get-bars.js';
import { openDuckDb, queryRows, sqlString } from '../../src/data/store/duckdb.js';

const HEADER = 'symbol,ts,open,high,low,close,volume,vwap,trades';

describe('canonicalize equity bars', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'quanto-canon-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function shard(name: string, lines: string[]): { path: string; display: string } {
    const path = join(dir, name);
    writeFileSync(path, [HEADER, ...lines].join('\n') + '\n');
    return { path, display: name };
  }

  function options(vendors: CanonicalizeOptions['vendors'], extra: Partial<CanonicalizeOptions> = {}): CanonicalizeOptions {
    return { vendors, duplicates: 'fail', onInvalid: 'fail', exchange: 'XNYS', corporateActions: [], outDir: join(dir, 'out'), ...extra };
  }

  const BAD = [
    'AAA,2024-01-02,10,11,9,10.5,100,,', // line 2: fine
    'aaa,2024-01-03,10,11,9,10.5,100,,', // 3: symbol
    'AAA,2024-01-3x,10,11,9,10.5,100,,', // 4: date
    'AAA,2024-01-06,10,11,9,10.5,100,,', // 5: a Saturday
    'AAA,2024-01-04,ten,11,9,10.5,100,,', // 6: open not a number
    'AAA,2024-01-05,10,11,9,,100,,', // 7: close missing
    'AAA,2024-01-08,10,11,9,NaN,100,,', // 8: NaN
    'AAA,2024-01-09,10,11,-9,10.5,100,,', // 9: negative price (and low)
    'AAA,2024-01-10,10,11,9,10.5,-5,,', // 10: negative volume
    'AAA,2024-01-11,10,11,12,10.5,100,,', // 11: low above high
    'AAA,2024-01-12,10,11,10.6,10.5,100,,', // 12: low above close
    'AAA,2024-01-16,10,10.4,9,10.5,100,,', // 13: high below close
    'AAA,2024-01-03,10,11,9,10.5,100,,', // 14: back in time
    'BBB,2024-01-02,10,11,9,10.5,100,,', // 15
    'BBB,2024-01-02,10,11,9,10.6,100,,', // 16: duplicate
  ];

  it('reads numbers by a numeric-literal grammar: digit separators, fractional counts and padding are refused with file and line, never coerced', async () => {
    const file = shard('lenient.csv', [
      'AAA,2024-01-02,10,11,9,10.5,100,,', // 2: fine
      'AAA,2024-01-03,10,11,9,6_9.0625,100,,', // 3: DuckDB alone reads 69.0625
      'AAA,2024-01-04,10,11,9,10.5,55268200.7,,', // 4: a cast alone rounds to 55268201
      'AAA,2024-01-05,10,11,9, 10.5,100,,', // 5: padded
      'AAA,2024-01-08,10,11,9,10.5,100.0,10.2,7', // 6: fine: a whole count written with .0
      'AAA,2024-01-09,10,11,9,10.5,100,1O.2,', // 7: vwap with a letter O
      'AAA,2024-01-10,10,11,9,10.5,100,,3.5', // 8: fractional trades
      'AAA,2024-01-11,1e1,11,9,10.5,100,,', // 9: fine: an exponent is a number
    ]);
    const err = await canonicalizeEquityBars(options([{ vendor: 'v', files: [file] }])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRowsError);
    expect((err as InvalidRowsError).problems.map((p) => `${p.file}:${p.line}: ${p.reason}`)).toEqual([
      "lenient.csv:3: close '6_9.0625' is not a number",
      "lenient.csv:4: volume '55268200.7' is not a whole number",
      "lenient.csv:5: close ' 10.5' is not a number",
      "lenient.csv:7: vwap '1O.2' is not a number",
      "lenient.csv:8: trades '3.5' is not a whole number",
    ]);
    // Quarantined instead: counted, and the good rows keep their exact values.
    const report = await canonicalizeEquityBars(options([{ vendor: 'v', files: [file] }], { onInvalid: 'quarantine' }));
    expect(report).toMatchObject({ rows_in: 8, rows_out: 3, rejected: 5 });
    const bars = await getBars(join(dir, 'out', 'equity_bars'), { symbols: ['AAA'], start: '2024-01-01', end: '2024-01-31', interval: '1d', adjust: 'none' });
    expect(bars.map((b) => [b.date, b.open, b.volume])).toEqual([['2024-01-02', 10, 100], ['2024-01-08', 10, 100], ['2024-01-11', 10, 100]]);
  });

  it('a row missing a column names the source file and line, not the sniffer or a cache path; a BOM before the header is called a BOM', async () => {
    const short = shard('short.csv', ['AAA,2024-01-02,10,11,9,10.5,100,,', 'AAA,2024-01-03,10,11,9,10.5', 'AAA,2024-01-04,10,11,9,10.5,100,,']);
    const err = (await canonicalizeEquityBars(options([{ vendor: 'v', files: [short] }])).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe('short.csv:3: 6 fields where the raw bar format has 9 (symbol,ts,open,high,low,close,volume,vwap,trades): fix the row, or the adapter that wrote it');
    const bom = join(dir, 'bom.csv');
    writeFileSync(bom, `\uFEFF${HEADER}\nAAA,2024-01-02,10,11,9,10.5,100,,\n`);
    const bomErr = (await canonicalizeEquityBars(options([{ vendor: 'v', files: [{ path: bom, display: 'bom.csv' }] }])).catch((e: unknown) => e)) as Error;
    expect(bomErr.message).toBe('bom.csv:1: the file starts with a UTF-8 byte-order mark (BOM) before its header; save it as UTF-8 without a BOM');
  });

  it('fails on every kind of bad row, naming the file, the line and the reason', async () => {
    const file = shard('bad.csv', BAD);
    const err = await canonicalizeEquityBars(options([{ vendor: 'v', files: [file] }])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRowsError);
    const text = (err as Error).message;
    const expected = [
      "bad.csv:3: symbol 'aaa' is not an upper-case ticker",
      "bad.csv:4: timestamp '2024-01-3x' is not a date",
      'bad.csv:5: date 2024-01-06 is not a session of the exchange calendar',
      "bad.csv:6: open 'ten' is not a number",
      'bad.csv:7: close is missing',
      'bad.csv:8: a price is NaN or infinite',
      'bad.csv:9: a price is zero or negative',
      'bad.csv:10: volume is negative',
      'bad.csv:11: low 12.0 is above high 11.0',
      'bad.csv:12: low 10.6 is above open or close',
      'bad.csv:13: high 10.4 is below open or close',
      'bad.csv:14: timestamp 2024-01-03 goes back in time (line 13 has 2024-01-16)',
      'bad.csv:15: duplicate bar for BBB on 2024-01-02 (duplicates: fail)',
      'bad.csv:16: duplicate bar for BBB on 2024-01-02 (duplicates: fail)',
    ];
    for (const line of expected) expect(text).toContain(line);
    expect(text).not.toContain('bad.csv:2:');
    expect(text).toContain('set on_invalid: quarantine');
    expect(readdirSync(dir)).not.toContain('out'); // nothing half-written
  });

  it('quarantines bad rows into rejects.parquet, counted, and writes the rest', async () => {
    const file = shard('bad.csv', BAD);
    const report = await canonicalizeEquityBars(options([{ vendor: 'v', files: [file] }], { onInvalid: 'quarantine' }));
    expect(report.rows_in).toBe(15);
    expect(report.rows_out).toBe(1);
    expect(report.rejected).toBe(14);
    const { connection, close } = await openDuckDb();
    const rejects = await queryRows<{ line: number; reason: string }>(connection, `SELECT line, reason FROM read_parquet(${sqlString(join(dir, 'out', 'rejects.parquet'))}) ORDER BY line, reason`);
    close();
    expect(new Set(rejects.map((r) => Number(r.line)))).toEqual(new Set([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]));
    expect(JSON.parse(readFileSync(join(dir, 'out', 'validation.json'), 'utf8')).rejected).toBe(14);
  });

  it('duplicates: keep_first and keep_last keep the declared copy and count the others', async () => {
    const lines = ['AAA,2024-01-02,10,11,9,10.1,100,,', 'AAA,2024-01-02,10,11,9,10.2,100,,', 'AAA,2024-01-03,10,11,9,10.3,100,,'];
    // keep_first/keep_last apply within a file; here the second line is out of order only by being equal.
    for (const [policy, close] of [['keep_first', 10.1], ['keep_last', 10.2]] as const) {
      const out = join(dir, policy);
      const report = await canonicalizeEquityBars(options([{ vendor: 'v', files: [shard(`${policy}.csv`, lines)] }], { duplicates: policy, outDir: out }));
      expect(report.duplicates_removed).toEqual({ v: 1 });
      const bars = await getBars(join(out, 'equity_bars'), { symbols: ['AAA'], start: '2024-01-02', end: '2024-01-02', adjust: 'none' });
      expect(bars[0]!.close).toBe(close);
    }
  });

  it('reconciles vendors by precedence and records which vendor each bar came from', async () => {
    const primary = shard('primary.csv', ['AAA,2024-01-03,10,11,9,10.5,100,,', 'AAA,2024-01-04,10,11,9,10.6,100,,']);
    const backup = shard('backup.csv', ['AAA,2024-01-02,10,11,9,9.9,100,,', 'AAA,2024-01-03,10,100,9,99,100,,', 'AAA,2024-01-05,10,11,9,10.7,100,,']);
    const report = await canonicalizeEquityBars(options([{ vendor: 'primary', files: [primary] }, { vendor: 'backup', files: [backup] }]));
    expect(report.rows_by_vendor).toEqual({ backup: 2, primary: 2 });
    const bars = await getBars(join(dir, 'out', 'equity_bars'), { symbols: ['AAA'], start: '2024-01-01', end: '2024-01-31', adjust: 'none' });
    expect(bars.map((b) => [b.date, b.close, b.vendor])).toEqual([
      ['2024-01-02', 9.9, 'backup'],
      ['2024-01-03', 10.5, 'primary'],
      ['2024-01-04', 10.6, 'primary'],
      ['2024-01-05', 10.7, 'backup'],
    ]);
    // Daily bars are stamped with the session's close in UTC.
    expect(bars[0]!.ts).toBe('2024-01-02T21:00:00Z');
  });

  it('reports gaps against the exchange calendar, stamps early closes, and applies split and dividend factors', async () => {
    const file = shard('a.csv', ['AAA,2024-07-01,10,11,9,10,100,,', 'AAA,2024-07-03,10,11,9,10,100,,', 'AAA,2024-07-08,5,5.5,4.5,5,300,,']);
    const report = await canonicalizeEquityBars(
      options([{ vendor: 'v', files: [file] }], {
        corporateActions: [
          { kind: 'split', symbol: 'AAA', ex_date: '2024-07-05', ratio: 2 },
          { kind: 'dividend', symbol: 'AAA', ex_date: '2024-07-08', amount: 0.5, currency: 'USD' },
        ],
      }),
    );
    expect(report.gaps).toEqual({ AAA: { missing: 2, first_missing: ['2024-07-02', '2024-07-05'] } });
    const raw = await getBars(join(dir, 'out', 'equity_bars'), { symbols: ['AAA'], start: '2024-07-01', end: '2024-07-31', adjust: 'none' });
    expect(raw[1]!.ts).toBe('2024-07-03T17:00:00Z'); // 13:00 New York, an early close
    const split = await getBars(join(dir, 'out', 'equity_bars'), { symbols: ['AAA'], start: '2024-07-01', end: '2024-07-31', adjust: 'splits' });
    expect(split.map((b) => [b.close, b.volume])).toEqual([[5, 200], [5, 200], [5, 300]]);
    const total = await getBars(join(dir, 'out', 'equity_bars'), { symbols: ['AAA'], start: '2024-07-01', end: '2024-07-31', adjust: 'total' });
    // Dividend factor 1 - 0.5 / 10 (the last raw close before the ex-date) applies before 2024-07-08.
    expect(total.map((b) => b.close)).toEqual([4.75, 4.75, 5]);
  });

  it('writes byte-identical Parquet for identical input, and rejects a shard with the wrong header', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => `S${i % 7},2024-01-${String(2 + (i % 20)).padStart(2, '0')},10,11,9,10,${i},,`);
    const sessions = new Set(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08', '2024-01-09', '2024-01-10', '2024-01-11', '2024-01-12', '2024-01-16', '2024-01-17', '2024-01-18', '2024-01-19']);
    const valid = [...new Map(rows.filter((r) => sessions.has(r.split(',')[1]!)).map((r) => [r.split(',').slice(0, 2).join(), r])).values()]
      .sort((a, b) => (a.split(',')[1]! < b.split(',')[1]! ? -1 : 1));
    const digests: string[] = [];
    // Two runs, with different numbers of writer threads: the bytes may not depend on either.
    for (const [run, threads] of [['one', 2], ['two', 1], ['three', 3]] as const) {
      const out = join(dir, run);
      await canonicalizeEquityBars(options([{ vendor: 'v', files: [shard(`${run}.csv`, valid)] }], { outDir: out, threads }));
      const hash = createHash('sha256');
      for (const f of readdirSync(out, { recursive: true }).map(String).filter((f) => f.endsWith('.parquet')).sort()) hash.update(f).update(readFileSync(join(out, f)));
      digests.push(hash.digest('hex'));
    }
    expect(digests[1]).toBe(digests[0]);
    expect(digests[2]).toBe(digests[0]);
    writeFileSync(join(dir, 'wrong.csv'), 'symbol,date,close\nAAA,2024-01-02,1\n');
    await expect(canonicalizeEquityBars(options([{ vendor: 'v', files: [{ path: join(dir, 'wrong.csv'), display: 'wrong.csv' }] }]))).rejects.toThrow(
      "wrong.csv:1: the header is 'symbol,date,close'; a raw bar shard must start with 'symbol,ts,open,high,low,close,volume,vwap,trades'",
    );
  });
});

describe('renames and universes', () => {
  it('continues a renamed ticker as one series under its final symbol, keeping the traded symbol and its splits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quanto-rename-'));
    try {
      writeFileSync(join(dir, 'a.csv'), `${HEADER}\nOLD,2024-01-02,10,11,9,10,100,,\nOLD,2024-01-03,10,11,9,10,100,,\nMID,2024-01-04,5,5.5,4.5,5,100,,\nNEW,2024-01-05,5,5.5,4.5,5,100,,\n`);
      await canonicalizeEquityBars({
        vendors: [{ vendor: 'v', files: [{ path: join(dir, 'a.csv'), display: 'a.csv' }] }],
        duplicates: 'fail', onInvalid: 'fail', exchange: 'XNYS', outDir: join(dir, 'out'),
        corporateActions: [
          { kind: 'rename', symbol: 'OLD', new_symbol: 'MID', effective_date: '2024-01-04' },
          { kind: 'rename', symbol: 'MID', new_symbol: 'NEW', effective_date: '2024-01-05' },
          { kind: 'split', symbol: 'OLD', ex_date: '2024-01-04', ratio: 2 },
        ],
      });
      const bars = await getBars(join(dir, 'out', 'equity_bars'), { symbols: ['NEW'], start: '2024-01-01', end: '2024-01-31' });
      expect(bars.map((b) => [b.date, b.symbol, b.traded_symbol, b.close])).toEqual([
        ['2024-01-02', 'NEW', 'OLD', 5],
        ['2024-01-03', 'NEW', 'OLD', 5],
        ['2024-01-04', 'NEW', 'MID', 5],
        ['2024-01-05', 'NEW', 'NEW', 5],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('universes as of a date include names delisted later and exclude names not yet listed', async () => {
    const { universeAsOf, finalSymbols } = await import('../../src/data/universe/universe.js');
    const tickers = [
      { symbol: 'AAA', name: null, exchange: 'XNYS', currency: 'USD', type: 'CS' as const, listed: '1995-01-03', delisted: null },
      { symbol: 'GONE', name: null, exchange: 'XNYS', currency: 'USD', type: 'CS' as const, listed: '1990-05-01', delisted: '2001-10-15' },
      { symbol: 'LATE', name: null, exchange: 'XNAS', currency: 'USD', type: 'CS' as const, listed: '2004-08-19', delisted: null },
      { symbol: 'FUND', name: null, exchange: 'ARCX', currency: 'USD', type: 'ETF' as const, listed: '1993-01-29', delisted: null },
    ];
    expect(universeAsOf(tickers, '2001-06-29')).toEqual(['AAA', 'FUND', 'GONE']);
    expect(universeAsOf(tickers, '2001-10-15')).toEqual(['AAA', 'FUND']); // delisted that day
    expect(universeAsOf(tickers, '2001-10-12')).toContain('GONE');
    expect(universeAsOf(tickers, '2004-08-19', { types: ['CS'] })).toEqual(['AAA', 'LATE']);
    expect(universeAsOf(tickers, '1990-01-02')).toEqual([]);
    expect(() => finalSymbols([{ kind: 'rename', symbol: 'A', new_symbol: 'B', effective_date: '2020-01-01' }, { kind: 'rename', symbol: 'B', new_symbol: 'A', effective_date: '2021-01-01' }])).toThrow(/cycle/);
  });
});
