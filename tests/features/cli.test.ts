import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/workspace.js';

const cli = (...args: string[]) => runCli(args);

const close = (a: number, e: number, rel: number) => Math.abs(a - e) <= Math.max(1e-12, rel * Math.abs(e));

describe('ad-hoc command lines (contracts)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'quanto-adhoc-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('quanto features compute reproduces the TTR reference columns on the S&P 500 sample', async () => {
    writeFileSync(
      join(dir, 'set.yml'),
      `name: ttr_check
version: 1
features:
  - {name: sma, kind: sma, window: 20}
  - {name: ema, kind: ema, window: 20}
  - {name: rsi, kind: rsi, window: 14}
  - {name: atr, kind: atr, window: 14}
  - {name: true_range, kind: true_range}
  - {name: bb, kind: bollinger, window: 20, k: 2}
  - {name: macd, kind: macd, fast: 12, slow: 26, signal: 9}
  - {name: roc_log, kind: roc_log, window: 14}
  - {name: vol_close, kind: vol_close, window: 20, periods_per_year: 252}
  - {name: vol_parkinson, kind: vol_parkinson, window: 20, periods_per_year: 252}
  - {name: vol_garman_klass, kind: vol_garman_klass, window: 20, periods_per_year: 252}
`,
    );
    const r = await cli(
      'features',
      'compute',
      '--set',
      join(dir, 'set.yml'),
      '--input',
      join(REPO_ROOT, 'data', 'sample', 'spx_daily_ohlcv_2000_2020.csv'),
      '--out',
      join(dir, 'out.csv'),
    );
    expect(r.code).toBe(0);
    const [oh, ...out] = readFileSync(join(dir, 'out.csv'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    const [rh, ...ref] = readFileSync(
      join(REPO_ROOT, 'tests', 'fixtures', 'reference', 'indicators_ttr_spx.csv'),
      'utf8',
    )
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    expect(oh).toEqual([
      'symbol',
      'date',
      'sma',
      'ema',
      'rsi',
      'atr',
      'true_range',
      'bb_lower',
      'bb_mid',
      'bb_upper',
      'macd',
      'macd_signal',
      'roc_log',
      'vol_close',
      'vol_parkinson',
      'vol_garman_klass',
    ]);
    expect(out).toHaveLength(ref.length);
    const misses: string[] = [];
    for (const name of oh!.slice(2)) {
      const o = oh!.indexOf(name);
      const e = rh!.indexOf(name);
      out.forEach((row, i) => {
        const a = row[o]!;
        const x = ref[i]![e]!;
        if ((a === '') !== (x === '') || (a !== '' && !close(Number(a), Number(x), 1e-9)))
          misses.push(`${name} ${row[1]}: ${a} vs ${x}`);
      });
    }
    expect(misses.slice(0, 5)).toEqual([]);
  });

  it('quanto options greeks prices, gives Greeks and inverts prices into implied vols', async () => {
    const lines = readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'reference', 'options_bsm_quantlib.csv'), 'utf8')
      .trim()
      .split(/\r?\n/);
    const h = lines[0]!.split(',');
    const rows = lines.slice(1, 41).map((l) => l.split(','));
    const v = (row: string[], name: string) => row[h.indexOf(name)]!;
    writeFileSync(
      join(dir, 'in.csv'),
      `type,spot,strike,t_years,rate,div_yield,vol,price\n${rows.map((r) => [v(r, 'type'), v(r, 'spot'), v(r, 'strike'), Number(v(r, 'days')) / 365, v(r, 'rate'), v(r, 'div_yield'), v(r, 'vol'), v(r, 'price')].join(',')).join('\n')}\n`,
    );
    const r = await cli('options', 'greeks', '--input', join(dir, 'in.csv'), '--out', join(dir, 'greeks.csv'));
    expect(r.code).toBe(0);
    const [gh, ...greeks] = readFileSync(join(dir, 'greeks.csv'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    expect(gh).toEqual([
      'type',
      'spot',
      'strike',
      't_years',
      'rate',
      'div_yield',
      'vol',
      'market_price',
      'price',
      'delta',
      'gamma',
      'vega',
      'theta',
      'rho',
      'implied_vol',
    ]);
    greeks.forEach((g, i) => {
      for (const name of ['price', 'delta', 'gamma', 'vega', 'theta', 'rho'])
        expect(close(Number(g[gh!.indexOf(name)]), Number(v(rows[i]!, name)), 1e-9), name).toBe(true);
      const iv = g[gh!.indexOf('implied_vol')]!;
      const expected = v(rows[i]!, 'implied_vol_from_price');
      // From the 10-digit prices in the file: recovered where vega is material, else left empty.
      if (expected === '') expect(iv === '' || Number(v(rows[i]!, 'vega')) >= 1e-3).toBe(true);
      else expect(close(Number(iv), Number(expected), 1e-6)).toBe(true);
    });
    const bad = await cli('options', 'greeks', '--input', join(dir, 'missing.csv'), '--out', join(dir, 'x.csv'));
    expect(bad).toMatchObject({ code: 2 });
    writeFileSync(join(dir, 'bad.csv'), 'type,spot,strike,t_years,rate,div_yield,vol\ncall,abc,100,1,0,0,0.2\n');
    expect(
      (await cli('options', 'greeks', '--input', join(dir, 'bad.csv'), '--out', join(dir, 'x.csv'))).err,
    ).toContain("bad.csv:2: column spot: 'abc' is not a number");
  });

  it('rejects an invalid feature set with file, line and key', async () => {
    writeFileSync(join(dir, 'bad.yml'), 'name: bad\nversion: 1\nfeatures:\n  - {name: x, kind: nope}\n');
    const r = await cli(
      'features',
      'compute',
      '--set',
      join(dir, 'bad.yml'),
      '--input',
      join(REPO_ROOT, 'data', 'sample', 'spx_daily_ohlcv_2000_2020.csv'),
      '--out',
      join(dir, 'o.csv'),
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.yml:4:\d+: key 'features\[0\]\.kind'/);
  });
});
