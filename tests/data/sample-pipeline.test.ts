import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { dataHealth, HealthCheckFailed } from '../../src/data/health/data-health.js';
import { getBars } from '../../src/data/query/get-bars.js';
import { REPO_ROOT, runCli } from '../helpers/workspace.js';

/**
 * The repository's own default workspace, built into a throwaway cache: the real sample data
 * through raw → canonical → data health.
 */
describe('the data layer on the embedded real sample data', () => {
  let cache: string;
  const cli = (...args: string[]) => runCli(['-C', REPO_ROOT, ...args]);
  const store = () => join(cache, 'out', 'canonical', 'equity_ohlcv', 'equity_bars');

  beforeAll(async () => {
    cache = mkdtempSync(join(tmpdir(), 'quanto-sample-'));
    process.env.QUANTO_CACHE_DIR = cache;
    const r = await cli('build', '--json', '--jobs', '0', '//canonical/...', '//monitoring/data_health');
    if (r.code !== 0) throw new Error(r.out + r.err);
  });
  afterAll(() => {
    delete process.env.QUANTO_CACHE_DIR;
    rmSync(cache, { recursive: true, force: true });
  });

  it('adjusts the real MSFT 2-for-1 split of 2003-02-18, keeping the unadjusted prices too', async () => {
    const raw = await getBars(store(), { symbols: ['MSFT'], start: '2003-02-13', end: '2003-02-19', adjust: 'none' });
    expect(raw.map((b) => [b.date, b.close])).toEqual([
      ['2003-02-13', 46.99],
      ['2003-02-14', 48.3],
      ['2003-02-18', 24.96],
      ['2003-02-19', 24.53],
    ]);
    const adjusted = await getBars(store(), { symbols: ['MSFT'], start: '2003-02-13', end: '2003-02-19', adjust: 'splits' });
    expect(adjusted.map((b) => b.close)).toEqual([23.495, 24.15, 24.96, 24.53]);
    // Volumes scale the other way (MSFT volume is in the sample until 2001-09-27).
    const early = await getBars(store(), { symbols: ['MSFT'], start: '2000-09-27', end: '2000-09-27', adjust: 'none' });
    const earlyAdj = await getBars(store(), { symbols: ['MSFT'], start: '2000-09-27', end: '2000-09-27', adjust: 'splits' });
    expect(earlyAdj[0]!.volume).toBe(early[0]!.volume! * 2);
    expect(earlyAdj[0]!.close).toBe(early[0]!.close / 2);
  });

  it('stores the S&P 500 sessions of 2000-2020 with every bar stamped at its close in UTC', async () => {
    const bars = await getBars(store(), { symbols: ['^GSPC'], start: '2000-01-01', end: '2020-12-31' });
    expect(bars).toHaveLength(5105);
    expect(bars[0]).toMatchObject({ date: '2000-01-03', ts: '2000-01-03T21:00:00Z', close: 1455.219971, vendor: 'embedded' });
    expect(bars.find((b) => b.date === '2019-07-03')!.ts).toBe('2019-07-03T17:00:00Z');
  });

  it('data_health reports coverage per symbol and field, and its strict mode fails past the threshold', async () => {
    const health = JSON.parse(readFileSync(join(cache, 'out', 'monitoring', 'data_health', 'health.json'), 'utf8'));
    expect(health.calendar).toBe('per_symbol');
    expect(health.symbols['^GSPC']).toMatchObject({ first: '2000-01-03', last: '2020-04-17', expected_sessions: 5105, rows: 5105 });
    expect(health.symbols.MSFT.fields.volume).toEqual({ present: 249, missing: 757, nan: 0, coverage: 0.247515 });
    expect(health.symbols.SUNW.fields.volume.present).toBe(0);
    expect(health.breaches).toEqual([
      { symbol: 'MSFT', field: 'volume', missing_ratio: 0.752485 },
      { symbol: 'SUNW', field: 'volume', missing_ratio: 1 },
    ]);
    const union = await dataHealth({ storeDir: store(), exchange: 'XNYS', calendar: 'union', fields: ['close'], maxMissingRatio: 1, strict: false });
    expect(union.window).toEqual({ start: '2000-01-03', end: '2020-04-17' });
    expect(union.symbols.SUNW!.fields.close!.missing).toBe(5105 - 252);
    const intersection = await dataHealth({ storeDir: store(), exchange: 'XNYS', calendar: 'intersection', fields: ['close'], maxMissingRatio: 0, strict: true });
    expect(intersection.window).toEqual({ start: '2004-01-02', end: '2004-09-30' });
    await expect(dataHealth({ storeDir: store(), exchange: 'XNYS', calendar: 'per_symbol', fields: ['close', 'volume'], maxMissingRatio: 0.5, strict: true })).rejects.toThrow(
      HealthCheckFailed,
    );
    await expect(dataHealth({ storeDir: store(), exchange: 'XNYS', calendar: 'per_symbol', fields: ['volume'], maxMissingRatio: 0.5, strict: true })).rejects.toThrow(
      /2 symbol\/field pair\(s\) miss more than 50\.0% of sessions:\n {2}MSFT\.volume: 75\.2% missing\n {2}SUNW\.volume: 100\.0% missing/,
    );
  });

  it('records validation results in the manifest and rebuilds the canonical Parquet bit for bit', async () => {
    const show = JSON.parse((await cli('show', '//canonical/dow30_close', '--json')).out);
    expect(show.manifest.validation).toMatchObject({ rows_in: 75870, rows_out: 75870, rejected: 0, symbols: 30 });
    expect(show.rows).toEqual({ equity_bars: 75870, 'rejects.parquet': 0 });
    const verify = await cli('verify', '--jobs', '0', '//canonical/equity_ohlcv');
    expect(verify.out).toMatch(/every output bit-identical/);
    expect(verify.code).toBe(0);
  });

  it('quanto sql queries the canonical store', async () => {
    const r = await cli('sql', "SELECT symbol, count(*) AS n FROM canonical_equity_ohlcv GROUP BY symbol ORDER BY symbol");
    expect(r.out).toBe('symbol  n\n------  ----\nMSFT    1006\nSUNW    252\n^GSPC   5105\n(3 rows)\n');
    const csv = await cli('sql', '--format', 'csv', "SELECT date, close FROM canonical_equity_ohlcv WHERE symbol = 'MSFT' AND date = '2003-02-18'");
    expect(csv.out).toBe('date,close\n2003-02-18,24.96\n');
    const json = await cli('sql', '--format', 'json', "SELECT count(DISTINCT symbol) AS symbols FROM canonical_dow30_close");
    expect(JSON.parse(json.out)).toEqual([{ symbols: '30' }]);
    const bad = await cli('sql', 'SELECT * FROM no_such_table');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('tables: canonical_dow30_close, canonical_equity_ohlcv');
  });
});

describe('synthetic option chains in the default workspace', () => {
  it('are built from the embedded vendor over the real S&P 500 closes and labelled synthetic', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'quanto-options-'));
    try {
      process.env.QUANTO_CACHE_DIR = cache;
      let out = '';
      const code = await main(['-C', REPO_ROOT, 'build', '--json', '--jobs', '0', '//raw/option_chains_synthetic'], { out: (t) => (out += t), err: () => {}, cwd: REPO_ROOT, isTTY: false });
      expect(code).toBe(0);
      const dir = join(cache, 'out', 'raw', 'option_chains_synthetic');
      expect(readFileSync(join(dir, 'SYNTHETIC.md'), 'utf8')).toMatch(/NOT market data/);
      const lines = readFileSync(join(dir, 'option_chains.csv'), 'utf8').trim().split('\n');
      expect(lines[0]).toBe('date,underlying,expiry,strike,right,bid,ask,last,volume,open_interest,vendor_iv,source');
      expect(lines.slice(1).every((l) => l.endsWith(',synthetic'))).toBe(true);
      expect(lines[1]!.startsWith('2019-01-02,^GSPC,2019-01-18,')).toBe(true);
    } finally {
      delete process.env.QUANTO_CACHE_DIR;
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
