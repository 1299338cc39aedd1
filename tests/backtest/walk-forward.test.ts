import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { barsBetween } from '../../src/backtest/market-data.js';
import { loadBacktestData } from '../../src/backtest/run-backtest.js';
import { sweepPoints } from '../../src/backtest/run-sweep.js';
import { foldWindows, runWalkForward } from '../../src/backtest/run-walk-forward.js';
import { walkForwardConfigSchema } from '../../src/backtest/walk-forward-config.js';
import { openDuckDb, sqlString } from '../../src/data/store/duckdb.js';
import { performanceMetrics } from '../../src/evaluation/performance-metrics.js';
import { SeededRandom } from '../../src/math/seeded-random.js';
import { shippedStrategy } from '../helpers/shipped-strategy.js';
import { REPO_ROOT, runCli } from '../helpers/workspace.js';

describe('walk-forward folds', () => {
  it('property: a training window never reaches its test window (a gap of at least delay + 1 sessions), test windows never overlap', () => {
    const random = new SeededRandom(42);
    const int = (a: number, b: number) => a + Math.floor(random.uniform() * (b - a + 1));
    for (let trial = 0; trial < 500; trial++) {
      const n = int(10, 400);
      const test = int(2, 40);
      const folds = {
        train: int(3, 120),
        test,
        step: test + int(0, 10),
        anchored: random.uniform() < 0.5,
        purge: int(0, 5),
      };
      const delay = int(0, 3);
      const windows = foldWindows(n, folds, delay);
      let lastTestEnd = -1;
      for (const w of windows) {
        expect(w.test[0] - w.train[1]).toBeGreaterThanOrEqual(Math.max(folds.purge, delay + 1));
        expect(w.test[1] - w.test[0]).toBe(test);
        expect(w.test[1]).toBeLessThanOrEqual(n);
        expect(w.test[0]).toBeGreaterThanOrEqual(lastTestEnd);
        if (folds.anchored) expect(w.train[0]).toBe(0);
        else expect(w.train[1] - w.train[0]).toBe(folds.train);
        lastTestEnd = w.test[1];
      }
      // As many folds as fit: one more would pass the end.
      const purge = Math.max(folds.purge, delay + 1);
      expect(windows.length).toBe(Math.max(0, Math.floor((n - folds.train - purge - test) / folds.step) + 1));
    }
  });

  it('refuses test windows that overlap', () => {
    const r = walkForwardConfigSchema.safeParse({
      from: '//canonical/x',
      strategy: { kind: 'sma_crossover' },
      grid: { fast: [5] },
      folds: { train: 100, test: 50, step: 20 },
    });
    expect(r.error?.issues[0]?.message).toMatch(/test windows overlap/);
  });
});

/** //walk_forward/spx_sma_crossover on the sample, and the same search run by hand. */
describe('//walk_forward/spx_sma_crossover', () => {
  let cache: string;
  const barsDir = () => join(cache, 'out', 'canonical', 'equity_ohlcv', 'equity_bars');
  const loader = (s: Record<string, unknown>) => shippedStrategy('sma_crossover', s);
  const config = () =>
    walkForwardConfigSchema.parse({
      from: '//canonical/equity_ohlcv',
      symbols: ['^GSPC'],
      reserve: { from: '2019-01-01' },
      strategy: { kind: 'sma_crossover' },
      grid: { fast: [10, 30], slow: [100, 200] },
      folds: { train: 504, test: 252 },
      costs: { fees: { bps: 1 }, execution: { delay_bars: 1, price: 'open' } },
    });

  beforeAll(async () => {
    cache = mkdtempSync(join(tmpdir(), 'quanto-walk-forward-'));
    process.env.QUANTO_CACHE_DIR = cache;
    const r = await runCli(['-C', REPO_ROOT, 'build', '--jobs', '0', '//walk_forward/spx_sma_crossover']);
    if (r.code !== 0) throw new Error(r.out + r.err);
  }, 300_000);
  afterAll(() => {
    delete process.env.QUANTO_CACHE_DIR;
    rmSync(cache, { recursive: true, force: true });
  });

  it('writes the stitched out-of-sample equity, per-fold choices and aggregate metrics', async () => {
    const m = JSON.parse(readFileSync(join(cache, 'out', 'walk_forward', 'spx_sma_crossover', 'metrics.json'), 'utf8'));
    expect(m.folds.length).toBeGreaterThan(10);
    expect(m.period.end < '2019-01-01').toBe(true);
    const { connection, close } = await openDuckDb(1);
    let rows: { equity: number; fold: number }[];
    try {
      rows = (
        await connection.runAndReadAll(
          `SELECT equity, fold FROM ${sqlString(join(cache, 'out', 'walk_forward', 'spx_sma_crossover', 'equity.parquet'))} ORDER BY date`,
        )
      ).getRowObjectsJson() as { equity: number; fold: number }[];
    } finally {
      close();
    }
    expect(rows).toHaveLength(m.folds.reduce((n: number, f: { test: { sessions: number } }) => n + f.test.sessions, 0));
    expect(m.metrics.sharpe).toBeCloseTo(
      performanceMetrics(
        rows.map((r) => r.equity),
        252,
      ).sharpe,
      12,
    );
    expect(rows[0]!.equity).toBe(1_000_000);
  });

  it("each fold's choice is the best point of its training window alone, and its test is that point traded there", async () => {
    const c = config();
    const run = await runWalkForward(c, { barsDir: barsDir(), strategyOf: loader });
    const { data } = await loadBacktestData({ ...c, benchmark: undefined }, barsDir());
    const windows = foldWindows(data.dates.length, c.folds, 1);
    expect(run.folds).toHaveLength(windows.length);
    for (const k of [0, windows.length - 1]) {
      const w = windows[k]!;
      const search = await sweepPoints(c, barsBetween(data, 0, w.train[1]), loader, w.train[0]);
      expect(run.folds[k]!.chosen).toEqual(search.best!.settings);
      expect(run.folds[k]!.train).toEqual({
        start: data.dates[w.train[0]],
        end: data.dates[w.train[1] - 1],
        sessions: w.train[1] - w.train[0],
      });
    }
  });

  it('no lookahead: changing every bar after a fold leaves that fold and the folds before it as they were', async () => {
    const c = config();
    const before = await runWalkForward(c, { barsDir: barsDir(), strategyOf: loader });
    const cut = before.folds[3]!.test.end; // perturb everything after the fourth fold's test window
    const altered = mkdtempSync(join(tmpdir(), 'quanto-wf-future-'));
    try {
      const { connection, close } = await openDuckDb(1);
      try {
        await connection.run(
          `COPY (SELECT * REPLACE (CASE WHEN date > DATE '${cut}' THEN close * (1.5 + sin(epoch(date))) ELSE close END AS close,
                                   CASE WHEN date > DATE '${cut}' THEN open * (1.5 + cos(epoch(date))) ELSE open END AS open)
                 FROM read_parquet(${sqlString(join(barsDir(), '**', '*.parquet'))}, hive_partitioning = true, hive_types = {'symbol': VARCHAR, 'year': INTEGER}))
           TO ${sqlString(altered)} (FORMAT PARQUET, PARTITION_BY (symbol, year), OVERWRITE_OR_IGNORE)`,
        );
      } finally {
        close();
      }
      const after = await runWalkForward(c, { barsDir: altered, strategyOf: loader });
      expect(after.folds.slice(0, 4)).toEqual(before.folds.slice(0, 4));
      const n = before.stitched.dates.indexOf(cut) + 1;
      expect(after.stitched.equity.slice(0, n)).toEqual(before.stitched.equity.slice(0, n));
      expect(after.stitched.equity).not.toEqual(before.stitched.equity);
    } finally {
      rmSync(altered, { recursive: true, force: true });
    }
  });

  it('folds that do not fit the data say how many sessions they need', async () => {
    const c = walkForwardConfigSchema.parse({ ...config(), end: '2001-12-31', folds: { train: 504, test: 252 } });
    await expect(runWalkForward(c, { barsDir: barsDir(), strategyOf: loader })).rejects.toThrow(
      /folds of 504 training \+ 2 purged \+ 252 test sessions need at least 758 sessions, and \/\/canonical\/equity_ohlcv has 500 in the period \(2000-01-03 to 2001-12-31\)/,
    );
  });
});
