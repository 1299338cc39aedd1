import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  maxDrawdown,
  moments,
  performanceMetrics,
  probabilisticSharpe,
} from '../../src/evaluation/performance-metrics.js';
import { REPO_ROOT, runCli } from '../helpers/workspace.js';

const cli = (...args: string[]) => runCli(args);

const readTable = (path: string) => {
  const [header, ...rows] = readFileSync(path, 'utf8')
    .trim()
    .split(/\r?\n/)
    .map((l) => l.split(','));
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!])));
};

describe('performance metrics', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'quanto-metrics-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('quanto metrics --by year equals the numpy/scipy reference on the S&P 500 to relative 1e-9', async () => {
    const out = join(dir, 'yearly.csv');
    const r = await cli(
      'metrics',
      '--input',
      join(REPO_ROOT, 'data', 'sample', 'spx_daily_ohlcv_2000_2020.csv'),
      '--by',
      'year',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    const ours = readTable(out);
    const reference = readTable(join(REPO_ROOT, 'tests', 'fixtures', 'reference', 'metrics_spx_yearly.csv'));
    expect(ours.map((row) => `${row.symbol} ${row.year}`)).toEqual(reference.map((row) => `${row.symbol} ${row.year}`));
    for (const [i, expected] of reference.entries()) {
      for (const [column, e] of Object.entries(expected)) {
        if (column === 'symbol' || column === 'year') continue;
        const a = Number(ours[i]![column]);
        expect(Math.abs(a - Number(e)), `${expected.year} ${column}: ${a} vs ${e}`).toBeLessThanOrEqual(
          1e-9 * Math.abs(Number(e)) + 1e-15,
        );
      }
    }
  });

  it('takes its values by hand on a small series', () => {
    const values = [100, 110, 99, 108.9];
    const m = performanceMetrics(values, 252);
    const r = [0.1, -0.1, 0.1];
    const mean = 0.1 / 3;
    const sd = Math.sqrt(r.reduce((a, x) => a + (x - mean) ** 2, 0) / 2);
    expect(m.n_returns).toBe(3);
    expect(m.total_return).toBeCloseTo(0.089, 12);
    expect(m.sharpe).toBeCloseTo((Math.sqrt(252) * mean) / sd, 12);
    expect(m.sortino).toBeCloseTo((Math.sqrt(252) * mean) / Math.sqrt(0.01 / 3), 12);
    expect(m.max_drawdown).toBeCloseTo(-0.1, 12);
    expect(m.cagr).toBeCloseTo(1.089 ** 84 - 1, 6);
    expect(m.calmar).toBeCloseTo(m.cagr / 0.1, 6);
    expect(maxDrawdown([1, 2, 1, 3, 1.5])).toBeCloseTo(-0.5, 12);
    // Two-point distribution: skew 0, raw kurtosis 1.
    expect(moments([-1, 1, -1, 1])).toEqual({ skew: 0, kurtosis: 1 });
    // A symmetric zero-mean series has a Sharpe of 0, so its PSR against 0 is exactly one half.
    expect(probabilisticSharpe([0.01, -0.01, 0.02, -0.02])).toBeCloseTo(0.5, 15);
    expect(() => performanceMetrics([1, 2], 252)).toThrow(/at least 3 values/);
  });

  it('rejects bad input naming the file and line, and computes each symbol separately', async () => {
    const input = join(dir, 'bad.csv');
    writeFileSync(input, 'symbol,date,close\nA,2020-01-02,10\nA,2020-01-03,-1\n');
    const bad = await cli('metrics', '--input', input, '--out', join(dir, 'bad-out.csv'));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(`${input}:3: column close: -1 is not positive`);
    // Numbers by the numeric-literal grammar, not Number(): hex, padding and separators are refused.
    for (const [cell, shown] of [
      ['0x1A', '0x1A'],
      [' 12', ' 12'],
      ['1_0', '1_0'],
    ]) {
      writeFileSync(input, `symbol,date,close\nA,2020-01-02,10\nA,2020-01-03,${cell}\n`);
      const lenient = await cli('metrics', '--input', input, '--out', join(dir, 'bad-out.csv'));
      expect(lenient.code).toBe(2);
      expect(lenient.err).toContain(`${input}:3: column close: '${shown}' is not a number`);
    }
    const two = join(dir, 'two.csv');
    writeFileSync(
      two,
      'symbol,date,close\nB,2020-01-03,20\nA,2020-01-02,10\nA,2020-01-03,11\nB,2020-01-02,21\nA,2020-01-06,12\nB,2020-01-06,22\n',
    );
    const r = await cli('metrics', '--input', two, '--by', 'all', '--out', join(dir, 'two-out.csv'));
    expect(r.code).toBe(0);
    const rows = readTable(join(dir, 'two-out.csv'));
    expect(rows.map((row) => [row.symbol, row.year, row.total_return])).toEqual([
      ['A', 'all', String(12 / 10 - 1)],
      ['B', 'all', String(22 / 21 - 1)],
    ]);
    expect((await cli('metrics', '--input', two, '--by', 'month', '--out', join(dir, 'x.csv'))).code).toBe(2);
  });
});
