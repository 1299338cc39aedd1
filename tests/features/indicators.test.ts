import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  atr,
  bollinger,
  ema,
  macd,
  rocLog,
  rsi,
  sma,
  trueRange,
  volClose,
  volGarmanKlass,
  volParkinson,
} from '../../src/features/indicators.js';
import { REPO_ROOT } from '../helpers/workspace.js';

/** R TTR 0.24.3 on data/sample/spx_daily_ohlcv_2000_2020.csv (tests/fixtures/reference/README.md). */
function load() {
  const csv = (p: string) =>
    readFileSync(p, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(','));
  const [h, ...ref] = csv(join(REPO_ROOT, 'tests', 'fixtures', 'reference', 'indicators_ttr_spx.csv'));
  const [, ...bars] = csv(join(REPO_ROOT, 'data', 'sample', 'spx_daily_ohlcv_2000_2020.csv'));
  const col = (name: string) => ref.map((r) => (r[h!.indexOf(name)] === '' ? Number.NaN : Number(r[h!.indexOf(name)])));
  return {
    col,
    open: bars.map((b) => Number(b[2])),
    high: bars.map((b) => Number(b[3])),
    low: bars.map((b) => Number(b[4])),
    close: bars.map((b) => Number(b[5])),
  };
}

function expectMatches(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  const misses: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (Number.isNaN(e) !== Number.isNaN(a)) misses.push(`${i}: ${a} vs ${e}`);
    else if (!Number.isNaN(e) && Math.abs(a - e) > Math.max(1e-12, 1e-9 * Math.abs(e)))
      misses.push(`${i}: ${a} vs ${e}`);
  }
  expect(misses.slice(0, 5)).toEqual([]);
}

describe('indicators equal R TTR on the real S&P 500 series to 1e-9', () => {
  const d = load();
  it('sma and ema (20)', () => {
    expectMatches(sma(d.close, 20), d.col('sma'));
    expectMatches(ema(d.close, 20), d.col('ema'));
  });
  it('rsi (14, Wilder)', () => expectMatches(rsi(d.close, 14), d.col('rsi')));
  it('true range and atr (14, Wilder)', () => {
    expectMatches(trueRange(d.high, d.low, d.close), d.col('true_range'));
    expectMatches(atr(d.high, d.low, d.close, 14), d.col('atr'));
  });
  it('bollinger (20, 2, population sd)', () => {
    const bb = bollinger(d.close, 20, 2);
    expectMatches(bb.lower, d.col('bb_lower'));
    expectMatches(bb.mid, d.col('bb_mid'));
    expectMatches(bb.upper, d.col('bb_upper'));
  });
  it('macd (12, 26, 9) in price units', () => {
    const m = macd(d.close, 12, 26, 9);
    expectMatches(m.macd, d.col('macd'));
    expectMatches(m.signal, d.col('macd_signal'));
  });
  it('roc_log (14)', () => expectMatches(rocLog(d.close, 14), d.col('roc_log')));
  it('close, Parkinson and Garman-Klass volatility (20, 252)', () => {
    expectMatches(volClose(d.close, 20, 252), d.col('vol_close'));
    expectMatches(volParkinson(d.high, d.low, 20, 252), d.col('vol_parkinson'));
    expectMatches(volGarmanKlass(d.open, d.high, d.low, d.close, 20, 252), d.col('vol_garman_klass'));
  });
});
