import { walkForwardSplits } from '../evaluation/cross-validation.js';
import { performanceMetrics, type PerformanceMetrics } from '../evaluation/performance-metrics.js';
import { barsBetween, type MarketData } from './market-data.js';
import { loadBacktestData, simulate } from './run-backtest.js';
import { pointBacktestConfig, pointSettings, sweepPoints, type StrategyLoader } from './run-sweep.js';
import type { GridValue } from './sweep-grid.js';
import type { FoldsConfig, WalkForwardConfig } from './walk-forward-config.js';

export interface Fold {
  fold: number;
  train: { start: string; end: string; sessions: number };
  test: { start: string; end: string; sessions: number };
  /** The grid point chosen on the training window. */
  chosen: Record<string, GridValue>;
  in_sample: PerformanceMetrics;
  out_of_sample: PerformanceMetrics;
}

export interface WalkForwardRun {
  data: MarketData;
  reserveFrom: string | null;
  folds: Fold[];
  /** The test windows strung together: dates, equity (compounded from the starting cash) and fold of each. */
  stitched: { dates: string[]; equity: number[]; fold: number[] };
  metrics: PerformanceMetrics;
}

/**
 * The fold windows over n sessions, as index ranges. The gap between a training window and its
 * test window is at least delay_bars + 1 sessions: the last training return is realised before
 * the first test session's, so no return belongs to both.
 */
export function foldWindows(
  n: number,
  folds: FoldsConfig,
  delayBars: number,
): { train: [number, number]; test: [number, number] }[] {
  const purge = Math.max(folds.purge, delayBars + 1);
  return walkForwardSplits(n, {
    train: folds.train,
    test: folds.test,
    ...(folds.step !== undefined ? { step: folds.step } : {}),
    expanding: folds.anchored,
    purge,
  }).map((s) => ({ train: [s.train[0]!, s.train.at(-1)! + 1], test: [s.test[0]!, s.test.at(-1)! + 1] }));
}

/**
 * Walk-forward optimisation of a vectorized strategy's settings: on each fold the grid is
 * searched over the training window alone, and the chosen point trades the test window, its
 * indicators warmed up on the bars before it (which it may read: they are past) but never on a
 * bar after the test window's. Out-of-sample equity is the test windows' returns compounded.
 */
export async function runWalkForward(
  c: WalkForwardConfig,
  o: { barsDir: string; strategyOf: StrategyLoader },
): Promise<WalkForwardRun> {
  const { data, reserveFrom } = await loadBacktestData({ ...c, benchmark: undefined }, o.barsDir);
  const n = data.dates.length;
  const windows = foldWindows(n, c.folds, c.costs.execution.delay_bars);
  if (windows.length === 0) {
    const purge = Math.max(c.folds.purge, c.costs.execution.delay_bars + 1);
    throw new Error(
      `folds of ${c.folds.train} training + ${purge} purged + ${c.folds.test} test sessions need at least ${c.folds.train + purge + c.folds.test} sessions, and ${c.from} has ${n} in the period (${data.dates[0]} to ${data.dates.at(-1)}): shorten the windows or widen the period`,
    );
  }
  const folds: Fold[] = [];
  const stitched = { dates: [] as string[], equity: [] as number[], fold: [] as number[] };
  let value = c.account.initial_cash;
  for (const [k, w] of windows.entries()) {
    const trainBars = barsBetween(data, 0, w.train[1]);
    const search = await sweepPoints(c, trainBars, o.strategyOf, w.train[0]);
    if (!search.best)
      throw new Error(
        `fold ${k + 1} (training ${data.dates[w.train[0]]} to ${data.dates[w.train[1] - 1]}): no grid point has a finite ${c.select.metric}`,
      );
    const settings = pointSettings(c, search.best.settings);
    const strategy = await o.strategyOf(settings);
    const result = simulate(pointBacktestConfig(c, settings), strategy, barsBetween(data, 0, w.test[1]), w.test[0]);
    const equity = [...result.equity];
    // Each fold starts flat on its first test session, at the value the previous fold ended on.
    for (let t = 0; t < equity.length; t++) {
      if (t > 0) value *= equity[t]! / equity[t - 1]!;
      stitched.dates.push(data.dates[w.test[0] + t]!);
      stitched.equity.push(value);
      stitched.fold.push(k + 1);
    }
    folds.push({
      fold: k + 1,
      train: span(data, w.train),
      test: span(data, w.test),
      chosen: search.best.settings,
      in_sample: search.best.metrics!,
      out_of_sample: performanceMetrics(equity, c.periods_per_year),
    });
  }
  return { data, reserveFrom, folds, stitched, metrics: performanceMetrics(stitched.equity, c.periods_per_year) };
}

function span(data: MarketData, [a, b]: [number, number]) {
  return { start: data.dates[a]!, end: data.dates[b - 1]!, sessions: b - a };
}
