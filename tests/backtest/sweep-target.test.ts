import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSweep } from '../../src/backtest/run-sweep.js';
import { sweepConfigSchema } from '../../src/backtest/sweep-config.js';
import { gridPoints } from '../../src/backtest/sweep-grid.js';
import { openDuckDb, queryRows, sqlString } from '../../src/data/store/duckdb.js';
import { shippedStrategy } from '../helpers/shipped-strategy.js';
import { linkRepoRules } from '../helpers/dow30-workspace.js';
import { REPO_ROOT, runCli, TestWorkspace } from '../helpers/workspace.js';

/** The default workspace's sweep of the SMA crossover's windows, built from the sample data into a throwaway cache. */
describe('//sweeps/spx_sma_crossover', () => {
  let cache: string;
  const out = (target: string, file: string) => join(cache, 'out', target, file);
  const json = (target: string, file: string) => JSON.parse(readFileSync(out(target, file), 'utf8'));

  beforeAll(async () => {
    cache = mkdtempSync(join(tmpdir(), 'quanto-sweep-'));
    process.env.QUANTO_CACHE_DIR = cache;
    const r = await runCli([
      '-C',
      REPO_ROOT,
      'build',
      '--jobs',
      '0',
      '//sweeps/spx_sma_crossover',
      '//backtests/spx_sma_crossover',
    ]);
    if (r.code !== 0) throw new Error(r.out + r.err);
  }, 300_000);
  afterAll(() => {
    delete process.env.QUANTO_CACHE_DIR;
    rmSync(cache, { recursive: true, force: true });
  });

  it('writes one row per grid point (settings x metrics); a point is the backtest of those settings; the best is the argmax, before the reserve', async () => {
    const { connection, close } = await openDuckDb(1);
    let rows: {
      point: number;
      fast: number;
      slow: number;
      valid: boolean;
      sharpe: number | null;
      total_return: number | null;
    }[];
    try {
      rows = await queryRows(
        connection,
        `SELECT point, fast, slow, valid, sharpe, total_return FROM ${sqlString(out('sweeps/spx_sma_crossover', 'sweep.parquet'))} ORDER BY point`,
      );
    } finally {
      close();
    }
    expect(rows).toHaveLength(10 * 11);
    // fast must be shorter than slow: the others are skipped, and counted.
    for (const r of rows) expect(r.valid).toBe(r.fast < r.slow);
    const m = json('sweeps/spx_sma_crossover', 'metrics.json');
    expect(m.points).toBe(110);
    expect(m.valid).toBe(rows.filter((r) => r.valid).length);
    expect(m.skipped[0]).toMatchObject({ point: 'fast=50,slow=50' });
    expect(m.skipped[0].why).toMatch(/fast must be shorter than slow/);
    // The point (50, 200) is the shipped backtest: the same bars, costs and engine, so the same numbers.
    const backtest = json('backtests/spx_sma_crossover', 'metrics.json');
    const same = rows.find((r) => r.fast === 50 && r.slow === 200)!;
    expect(same.sharpe).toBeCloseTo(backtest.metrics.sharpe, 12);
    expect(same.total_return).toBeCloseTo(backtest.metrics.total_return, 12);
    const best = rows.filter((r) => r.valid).reduce((a, b) => (b.sharpe! > a.sharpe! ? b : a));
    expect(m.select.best.settings).toEqual({ fast: best.fast, slow: best.slow });
    expect(m.metrics.sharpe).toBe(best.sharpe);
    expect(m.period.end < '2019-01-01').toBe(true);
    expect(m.reserve).toEqual({ from: '2019-01-01', read: false });
    expect(m.pbo).toMatchObject({ splits: 252, blocks: 10, metric: 'sharpe' });
    expect(m.pbo.pbo).toBeGreaterThanOrEqual(0);
    expect(m.pbo.pbo).toBeLessThanOrEqual(1);
    expect(m.cpcv).toMatchObject({ groups: 6, test_groups: 2, splits: 15, paths: 5 });
    expect(m.cpcv.path_sharpe).toHaveLength(5);
    const svg = readFileSync(out('sweeps/spx_sma_crossover', 'heatmap.svg'), 'utf8');
    expect(svg).toMatch(/^<svg id="sweep"/);
    expect(svg.match(/class="cell"/g)).toHaveLength(m.valid);
  });

  it('quanto exp show lists the sweep with its chosen point', async () => {
    const r = await runCli(['-C', REPO_ROOT, 'exp', 'show', '//sweeps/spx_sma_crossover', '--json']);
    expect(r.code).toBe(0);
    const [row] = JSON.parse(r.out);
    expect(row.metrics.sharpe).toBe(json('sweeps/spx_sma_crossover', 'metrics.json').metrics.sharpe);
  });

  it('a point the strategy rejects is an error naming it unless skipped; an event-driven strategy is refused', async () => {
    const c = sweepConfigSchema.parse({
      from: '//canonical/equity_ohlcv',
      symbols: ['^GSPC'],
      end: '2003-12-31',
      strategy: { kind: 'sma_crossover' },
      grid: { fast: [10, 60], slow: [50] },
    });
    const barsDir = join(cache, 'out', 'canonical', 'equity_ohlcv', 'equity_bars');
    await expect(runSweep(c, { barsDir, strategyOf: (s) => shippedStrategy('sma_crossover', s) })).rejects.toThrow(
      /grid point fast=60,slow=50: .*fast must be shorter than slow .*set invalid: skip/,
    );
    await expect(
      runSweep(
        { ...c, grid: { every: [5] }, strategy: { kind: 'dollar_cost_averaging' } },
        { barsDir, strategyOf: (s) => shippedStrategy('dollar_cost_averaging', s) },
      ),
    ).rejects.toThrow(/event-driven: a sweep runs vectorized strategies/);
  });

  it('grids cross axes in order; a sweep never reads the reserve as a final evaluation; bad axes are config errors', async () => {
    expect(gridPoints({ a: [1, 2], b: { range: { from: 0.1, to: 0.3, step: 0.1 } } })).toEqual([
      { a: 1, b: 0.1 },
      { a: 1, b: 0.2 },
      { a: 1, b: 0.3 },
      { a: 2, b: 0.1 },
      { a: 2, b: 0.2 },
      { a: 2, b: 0.3 },
    ]);
    const base = {
      from: '//canonical/equity_ohlcv',
      strategy: { kind: 'sma_crossover', fast: 5 },
      grid: { slow: [50] },
    };
    const issues = (x: object) => sweepConfigSchema.safeParse(x).error?.issues.map((i) => i.message) ?? [];
    expect(issues({ ...base, reserve: { from: '2019-01-01', final_evaluation: true } })[0]).toMatch(
      /never chosen on the reserve/,
    );
    expect(issues({ ...base, grid: { fast: [5] } })[0]).toMatch(/'fast' is set in strategy: too/);
    expect(issues({ ...base, heatmap: { x: 'window' } })[0]).toMatch(/'window' is not an axis of the grid \(slow\)/);
    expect(issues({ ...base, grid: {} })[0]).toMatch(/the grid has no axes/);
    expect(issues({ ...base, pbo: { blocks: 5 } })[0]).toMatch(/blocks must be even/);
    const ws = new TestWorkspace({
      'quanto.pipeline.yaml': 'targets:\n  sweeps/x:\n    rule: sweep\n    config: x.yaml\n',
      'x.yaml':
        'from: //canonical/x\nstrategy: {kind: sma_crossover}\ngrid:\n  fast: {range: {from: 5, to: 1, step: 1}}\n',
    });
    linkRepoRules(ws, ['sweep']);
    try {
      const r = await ws.cli('build', '//sweeps/x');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/x\.yaml:4:\d+: .*the range ends before it starts/);
    } finally {
      ws.dispose();
    }
  });
});
