import type { BacktestResult } from '../backtest/backtest-result.js';
import type { MarketData } from '../backtest/market-data.js';
import { warmupOf, type LoadedStrategy } from '../strategy/loaded-strategy.js';
import type { StrategyRef } from '../strategy/strategy-ref.js';
import { vectorizedWeights } from '../strategy/vectorized-weights.js';
import { backtestTargetWeights } from '../backtest/target-weights.js';
import { tradeStats, type TradeStats } from '../backtest/trade-stats.js';
import { deflatedSharpe } from '../evaluation/deflated-sharpe.js';
import { loadFeatureColumns } from '../evaluation/load-feature-columns.js';
import { regimeColumns, regimeSlices, type RegimeSliceResult } from '../evaluation/regime-slices.js';
import { performanceMetrics, simpleReturns, type PerformanceMetrics } from '../evaluation/performance-metrics.js';
import { asContinuousEnv, runPolicy } from './episode.js';
import { episodeAsBacktest } from './episode-backtest.js';
import type { ExperimentConfig } from './experiment-config.js';
import { dayAfter } from '../data/calendar/civil-date.js';
import { loadEnvMarket } from './load-env-market.js';
import { trainPpo, type IterationStats, type TrainedPolicy } from './ppo.js';
import { sliceMarket } from './slice-market.js';
import { initTfBackend, type TfBackendName } from './tf-backend.js';
import { TradingEnv, type EnvMarket, type StepLog } from './trading-env.js';

export type ScoredMetrics = PerformanceMetrics & TradeStats & { dsr: number; fees: number; slippage: number };

export interface ExperimentRun {
  backend: TfBackendName;
  policy: TrainedPolicy;
  curves: IterationStats[];
  train: { market: EnvMarket; values: Float64Array; log: readonly StepLog[]; metrics: ScoredMetrics };
  test: {
    market: EnvMarket;
    values: Float64Array;
    log: readonly StepLog[];
    result: BacktestResult;
    metrics: ScoredMetrics;
  };
  baselines: { strategy: StrategyRef; metrics: ScoredMetrics }[];
  /** Test-window metrics per declared regime (null when the config declares none). */
  regimes: RegimeSliceResult[] | null;
}

function sessionRange(dates: readonly string[], start: string, end: string): [number, number] {
  const from = dates.findIndex((d) => d >= start);
  let to = dates.length;
  while (to > 0 && dates[to - 1]! > end) to--;
  if (from < 0 || to - from < 3)
    throw new Error(
      `the window ${start} to ${end} has ${Math.max(0, to - Math.max(from, 0))} sessions in the bars: at least 3 are needed`,
    );
  return [from, to];
}

function score(result: BacktestResult, c: ExperimentConfig): ScoredMetrics {
  const equity = [...result.equity];
  return {
    ...performanceMetrics(equity, c.periods_per_year),
    dsr: deflatedSharpe(simpleReturns(equity), c.trials.count, c.trials.sharpe_variance),
    ...tradeStats(result, c.periods_per_year),
    fees: result.costs.fees,
    slippage: result.costs.slippage,
  };
}

function sliceBars(bars: MarketData, from: number, to: number): MarketData {
  const cut = (xs: readonly Float64Array[]) => xs.map((x) => x.slice(from, to));
  return {
    dates: bars.dates.slice(from, to),
    symbols: bars.symbols,
    open: cut(bars.open),
    close: cut(bars.close),
    volume: cut(bars.volume),
  };
}

/**
 * Trains a PPO policy on the training window and judges it on the test window, beside the
 * configured baselines backtested on the same test sessions with the same cost model.
 */
export async function runExperiment(
  c: ExperimentConfig,
  inputs: {
    barsDir: string;
    featuresDir: string;
    regimeFeaturesDir: string | null;
    /** The config's baselines, loaded, in its order. */
    baselines: readonly LoadedStrategy[];
  },
  seed: number,
  onIteration?: (s: IterationStats) => void,
): Promise<ExperimentRun> {
  const backend = await initTfBackend();
  const { market, bars } = await loadEnvMarket(c, inputs.barsDir, inputs.featuresDir);
  const [trainFrom, trainTo] = sessionRange(market.dates, c.train.start, c.train.end);
  const [testFrom, testTo] = sessionRange(market.dates, c.test.start, c.test.end);
  const trainMarket = sliceMarket(market, trainFrom, trainTo);
  const testMarket = sliceMarket(market, testFrom, testTo);

  const policy = trainPpo(asContinuousEnv(new TradingEnv(trainMarket, c.env, c.costs)), c.ppo, seed, onIteration);

  const evaluate = (m: EnvMarket) => {
    const env = new TradingEnv(m, c.env, c.costs, { log: true });
    const values = runPolicy(env, policy);
    const result = episodeAsBacktest(m, values, env.stepLog);
    return { market: m, values, log: env.stepLog, result, metrics: score(result, c) };
  };
  const train = evaluate(trainMarket);
  const test = evaluate(testMarket);

  const testBars = sliceBars(bars, testFrom, testTo);
  const baselines = c.baselines.map((strategy, i) => {
    const loaded = inputs.baselines[i]!;
    // Strategies with a warm-up read the training window to start the test warmed up; the
    // others start on the test window's first session, as an investor starting then would.
    // The trading environment is long-only on cash: a baseline may not lever (gross weight 1).
    const weights =
      warmupOf(loaded) > 0
        ? vectorizedWeights(loaded, bars, 1).map((w) => w.slice(testFrom, testTo))
        : vectorizedWeights(loaded, testBars, 1);
    return { strategy, metrics: score(backtestTargetWeights(testBars, weights, c.costs, c.env.initial_cash), c) };
  });
  let regimes: RegimeSliceResult[] | null = null;
  if (c.regimes) {
    if (!inputs.regimeFeaturesDir)
      throw new Error(`regimes read ${c.regimes.from}, which is not among this target's deps`);
    const features = await loadFeatureColumns(
      inputs.regimeFeaturesDir,
      c.regimes.symbol,
      regimeColumns(c.regimes),
      testMarket.dates,
      dayAfter(c.test.end),
    );
    regimes = regimeSlices(test.values, (column) => features.get(column)!, c.regimes.slices, c.periods_per_year);
  }
  return { backend, policy, curves: policy.curves, train, test, baselines, regimes };
}
