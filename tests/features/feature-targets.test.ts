import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOptionsSurface } from '../../src/features/build-options-surface.js';
import { REPO_ROOT, runCli } from '../helpers/workspace.js';

/** The repository's feature targets, built from the sample data into a throwaway cache. */
describe('//features/core_v1, //features/core_v1_regime and //features/options_surface_v1 from the sample data', () => {
  let cache: string;
  const cli = (...args: string[]) => runCli(['-C', REPO_ROOT, ...args]);
  const sql = async (q: string) => {
    const r = await cli('sql', '--format', 'json', q);
    if (r.code !== 0) throw new Error(`quanto sql failed: ${r.err}`);
    return JSON.parse(r.out) as Record<string, string | number | null>[];
  };

  beforeAll(async () => {
    cache = mkdtempSync(join(tmpdir(), 'quanto-features-'));
    process.env.QUANTO_CACHE_DIR = cache;
    const r = await cli('build', '--jobs', '0', '//features/...', '//labels/hit_strike_v1');
    if (r.code !== 0) throw new Error(r.out + r.err);
  });
  afterAll(() => {
    delete process.env.QUANTO_CACHE_DIR;
    rmSync(cache, { recursive: true, force: true });
  });

  it('computes the contract for every symbol, equal to TTR on the S&P 500, each row stamped when knowable', async () => {
    const rows = await sql(
      `SELECT date, rsi_14, bb_upper, macd_signal, knowable_at FROM features_core_v1 WHERE symbol = '^GSPC' ORDER BY date`,
    );
    expect(rows).toHaveLength(5105);
    const ref = readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'reference', 'indicators_ttr_spx.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    for (const [i, r] of rows.entries()) {
      for (const [col, idx] of [
        ['rsi_14', 5],
        ['bb_upper', 10],
        ['macd_signal', 12],
      ] as const) {
        const e = ref[i]![idx]!;
        const a = r[col];
        if (e === '') expect(a).toBeNull();
        else expect(Math.abs(Number(a) - Number(e))).toBeLessThanOrEqual(1e-9 * Math.abs(Number(e)));
      }
    }
    expect(rows[0]!.knowable_at).toBe('2000-01-03 21:00:00');
    expect(rows.find((r) => r.date === '2019-07-03')!.knowable_at).toBe('2019-07-03 17:00:00');
  });

  it('uses split-adjusted prices: the MSFT split of 2003-02-18 is not a return', async () => {
    const [row] = await sql(`SELECT ret_1d FROM features_core_v1 WHERE symbol = 'MSFT' AND date = '2003-02-18'`);
    expect(Math.abs(Number(row!.ret_1d))).toBeLessThan(0.05); // unadjusted it would be log(24.96 / 48.30) = -0.66
  });

  it('regime features take their documented values', async () => {
    const rows = await sql(
      `SELECT date, vol_regime, trend_regime, drawdown, drawdown_state FROM features_core_v1_regime WHERE symbol = '^GSPC' ORDER BY date`,
    );
    expect(rows[0]).toMatchObject({ vol_regime: null, trend_regime: null, drawdown: 0, drawdown_state: 0 });
    const bottom = rows.find((r) => r.date === '2009-03-09')!; // the 2009 low: more than 50% below the 2007 peak
    expect(Number(bottom.drawdown)).toBeLessThan(-0.5);
    expect(bottom.drawdown_state).toBe(2);
    expect(bottom.trend_regime).toBe(-1);
    expect(new Set(rows.map((r) => r.vol_regime).filter((v) => v !== null))).toEqual(new Set([0, 1, 2]));
  });

  it('options surface: one row per chain day, knowable at that close, coverage flagged, and a lag delays every value', async () => {
    const rows = await sql(
      `SELECT date, knowable_at, ivx, ivx_coverage, rank_coverage, iv_rank FROM features_options_surface_v1 ORDER BY date`,
    );
    expect(rows).toHaveLength(326); // the synthetic chains' sessions, 2019-01-02 .. 2020-04-17
    expect(rows[0]).toMatchObject({ date: '2019-01-02', knowable_at: '2019-01-02 21:00:00' });
    for (const r of rows) expect(r.ivx === null).toBe(r.ivx_coverage === 0);
    // The chains were generated with an at-the-money vol of 0.18 (configs/ingest/synthetic_options.yaml).
    for (const r of rows.filter((x) => x.ivx !== null)) expect(Math.abs(Number(r.ivx) - 0.18)).toBeLessThan(0.01);
    expect(rows.slice(0, 251).every((r) => r.rank_coverage === 0)).toBe(true); // a 252-day window is not full yet
    expect(rows.at(-1)!.rank_coverage).toBe(1);

    const lagged = await sql(
      `SELECT date, knowable_at, ivx, ivx_coverage FROM features_options_surface_v1_lag1 ORDER BY date`,
    );
    expect(lagged[0]).toMatchObject({ knowable_at: null, ivx: null, ivx_coverage: 0 });
    for (let i = 1; i < rows.length; i++)
      expect(lagged[i]).toMatchObject({
        date: rows[i]!.date,
        knowable_at: rows[i - 1]!.knowable_at,
        ivx: rows[i - 1]!.ivx,
      });
    // The dense default leaves out skew_25d, which these chains support on too few days.
    const [columns] = await sql(
      `SELECT count(*) AS n FROM (DESCRIBE features_options_surface_v1) WHERE column_name LIKE 'skew%'`,
    );
    expect(Number(columns!.n)).toBe(0);

    const out = mkdtempSync(join(tmpdir(), 'quanto-surface-'));
    const dir = (t: string) => join(cache, 'out', t);
    const spec = {
      underlying: '^GSPC',
      rate: 0.02,
      divYield: 0.018,
      ivxDays: 30,
      rankWindow: 252,
      rankMinCoverage: 0.8,
      lag: 0,
      features: ['ivx' as const],
      minCoverage: 0.9,
    };
    try {
      // Asking for a sparse feature in a dense set fails, naming the feature and its coverage.
      await expect(
        buildOptionsSurface(
          join(dir('raw/option_chains_synthetic'), 'option_chains.csv'),
          join(dir('canonical/equity_ohlcv'), 'equity_bars'),
          { ...spec, features: ['ivx', 'skew_25d'] },
          join(out, 's'),
        ),
      ).rejects.toThrow(/support skew_25d \(6\d\.\d% of days\), below min_coverage 0.9; remove it/);
      // A chain day with no bar (2019-01-01 is a holiday) fails the build naming the date; no row is dropped quietly.
      const holiday = join(out, 'holiday.csv');
      writeFileSync(
        holiday,
        'date,underlying,expiry,strike,right,bid,ask,last,volume,open_interest,vendor_iv,source\n2019-01-01,^GSPC,2019-01-18,2500,C,10,11,10.5,1,1,0.2,synthetic\n',
      );
      await expect(
        buildOptionsSurface(holiday, join(dir('canonical/equity_ohlcv'), 'equity_bars'), spec, join(out, 'h')),
      ).rejects.toThrow(/on 2019-01-01 has no canonical bar/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('hit-strike labels: one per contract, unresolved (empty) exactly where expiry is past the last bar, marked as labels', async () => {
    const [counts] = await sql(
      `SELECT count(*) AS n, count(hit_strike) AS resolved, max(date) AS last_quote FROM labels_hit_strike_v1`,
    );
    const [chains] = await sql(
      `SELECT count(*) AS n FROM read_csv('${join(cache, 'out', 'raw', 'option_chains_synthetic', 'option_chains.csv')}') WHERE underlying = '^GSPC'`,
    );
    expect(Number(counts!.n)).toBe(Number(chains!.n));
    const [lastBar] = await sql(`SELECT max(date) AS d FROM canonical_equity_ohlcv WHERE symbol = '^GSPC'`);
    const [wrong] = await sql(
      `SELECT count(*) AS n FROM labels_hit_strike_v1 WHERE (hit_strike IS NULL) <> (expiry > DATE '${String(lastBar!.d)}')`,
    );
    expect(Number(wrong!.n)).toBe(0);
    const [touches] = await sql(
      `SELECT count(*) AS n FROM labels_hit_strike_v1 WHERE hit_strike = 1 AND (hit_t1 <= date OR hit_t1 > expiry)`,
    );
    expect(Number(touches!.n)).toBe(0);
    const shown = await cli('show', '--json', '//labels/hit_strike_v1');
    if (shown.code !== 0) throw new Error(shown.err);
    const { manifest } = JSON.parse(shown.out) as { manifest: { columns?: Record<string, string> } };
    expect(manifest.columns).toMatchObject({ hit_strike: 'label', hit_t1: 'label', sessions_to_hit: 'label' });
  });
});
