import { dayAfter } from '../data/calendar/civil-date.js';
import { deflatedSharpe } from '../evaluation/deflated-sharpe.js';
import { loadFeatureColumns } from '../evaluation/load-feature-columns.js';
import { performanceMetrics, simpleReturns, type PerformanceMetrics } from '../evaluation/performance-metrics.js';
import { regimeColumns, regimeSlices, type RegimeSliceResult } from '../evaluation/regime-slices.js';
import { monteCarlo, type MonteCarloReport } from '../evaluation/monte-carlo.js';
import type { BacktestConfig } from './backtest-config.js';
import type { BacktestResult } from './backtest-result.js';
import { backtestEvents, targetWeightStrategy } from './event-driven.js';
import { checkTradable, loadMarketData, loadSessionDates } from './load-market-data.js';
import { barsBetween, carryForward, type MarketData } from './market-data.js';
import { onChangesOnly } from './on-changes-only.js';
import type { LoadedStrategy } from '../strategy/loaded-strategy.js';
import { refuseSizingOfEvents, sizedWeights } from '../strategy/vectorized-weights.js';
import { eventStrategyOf } from './strategy-events.js';
import { backtestTargetWeights } from './target-weights.js';
import { roundTrips, tradeStats, type TradeStats } from './trade-stats.js';

export interface BacktestMetrics extends PerformanceMetrics, TradeStats {
  /** Deflated Sharpe ratio for the trials recorded in the config (PSR against 0 for one trial). */
  dsr: number;
  fees: number;
  slippage: number;
  borrow: number;
}

export interface BacktestRun {
  data: MarketData;
  result: BacktestResult;
  metrics: BacktestMetrics;
  /** The benchmark symbol's closes on the same sessions (last close carried over gaps). */
  benchmark: { symbol: string; values: Float64Array; metrics: PerformanceMetrics } | null;
  /** Set on a final evaluation: metrics before the reserve and inside it. */
  split: { in_sample: PerformanceMetrics; out_of_sample: PerformanceMetrics } | null;
  regimes: RegimeSliceResult[] | null;
  /** The reserve's first session as configured, or as its fraction resolved (null without a reserve). */
  reserveFrom: string | null;
  /** Resampled intervals of the metrics (null when turned off or too short). */
  monteCarlo: MonteCarloReport | null;
}

export interface BacktestInputs {
  /** The strategy the config's `strategy:` names, loaded, with its settings. */
  strategy: LoadedStrategy;
  barsDir: string;
  regimeFeaturesDir: string | null;
  /**
   * engine: trading_path: the strategy through the execution path over `history` (the bars up to
   * the end, its warm-up before the window included), scored from `windowStart` on. Research code
   * cannot import execution code, so the rule that runs the backtest hands it in.
   */
  tradingPath?: (history: MarketData, windowStart: string) => Promise<BacktestResult>;
}

/** Restricts a MarketData to some of its symbols (the arrays are shared, not copied). */
function selectSymbols(data: MarketData, symbols: readonly string[]): MarketData {
  const idx = symbols.map((s) => data.symbols.indexOf(s));
  const pick = <T>(xs: readonly T[] | undefined) => (xs ? idx.map((i) => xs[i]!) : undefined);
  return {
    dates: data.dates,
    symbols,
    open: pick(data.open)!,
    close: pick(data.close)!,
    volume: pick(data.volume)!,
    high: pick(data.high),
    low: pick(data.low),
  };
}

/**
 * The strategy on the configured engine. A vectorized strategy runs on either (its weights read
 * with `orders_on`); an event-driven one on the event-driven engine only.
 */
export function simulate(c: BacktestConfig, strategy: LoadedStrategy, data: MarketData, from = 0): BacktestResult {
  if (from > 0 && typeof strategy.definition.weights !== 'function')
    throw new Error(
      `strategy '${c.strategy.kind}' is event-driven: a window of its history runs vectorized strategies only`,
    );
  if (typeof strategy.definition.weights !== 'function') {
    if (c.engine !== 'event_driven')
      throw new Error(
        `strategy '${c.strategy.kind}' is event-driven: set engine: event_driven in the backtest's config`,
      );
    if (c.orders_on === 'change')
      throw new Error(
        `orders_on: change reads a vectorized strategy's weights; '${c.strategy.kind}' is event-driven and places its own orders: remove orders_on`,
      );
    refuseSizingOfEvents(c.sizing, c.strategy.kind);
    return backtestEvents(data, eventStrategyOf(strategy, data, c.account.max_leverage, c.bracket), c.costs, c.account);
  }
  // Decided on the whole history (warmed up), traded from `from` on: bar t's weight reads bars up to t only.
  const sized = sizedWeights(strategy, data, c.account.max_leverage, c.sizing);
  const decided = c.orders_on === 'change' ? onChangesOnly(sized.values) : sized.values;
  const weights = from > 0 ? decided.map((w) => w.subarray(from)) : decided;
  const traded = from > 0 ? barsBetween(data, from, data.dates.length) : data;
  return c.engine === 'vectorized'
    ? backtestTargetWeights(traded, weights, c.costs, c.account.initial_cash, sized.unit)
    : backtestEvents(traded, targetWeightStrategy(weights, c.bracket, sized.unit), c.costs, c.account);
}

/** The bars a backtest's config reads (never past an unread reserve), and what bounds them. */
export interface BacktestData {
  /** The traded symbols' bars. */
  data: MarketData;
  /** Those and the benchmark's. */
  all: MarketData;
  wanted: string[];
  endExclusive: string | null;
  reserveFrom: string | null;
}

/** Loads a backtest's bars: its symbols and benchmark over its period, stopping before the reserve unless it is the final evaluation. */
export async function loadBacktestData(
  c: Pick<BacktestConfig, 'from' | 'symbols' | 'benchmark' | 'adjust' | 'start' | 'end' | 'reserve' | 'costs'>,
  barsDir: string,
): Promise<BacktestData> {
  const readsReserve = c.reserve?.final_evaluation === true;
  const wanted = c.symbols.length > 0 ? [...new Set([...c.symbols, ...(c.benchmark ? [c.benchmark] : [])])].sort() : [];
  const configEnd = c.end ? dayAfter(c.end) : null;
  const reserveFrom = await resolveReserveFrom(c, barsDir, wanted, configEnd);
  const reserveEnd = reserveFrom && !readsReserve ? reserveFrom : null;
  // The earlier of the two: a declared end never reaches into an unread reserve.
  const endExclusive =
    reserveEnd && configEnd ? (reserveEnd < configEnd ? reserveEnd : configEnd) : (reserveEnd ?? configEnd);
  const all = await loadMarketData({
    storeDir: barsDir,
    symbols: wanted,
    adjust: c.adjust,
    start: c.start ?? null,
    endExclusive,
  });
  if (all.dates.length < 3)
    throw new Error(`${c.from} has ${all.dates.length} sessions in the backtest's period: at least 3 are needed`);
  if (c.benchmark && !all.symbols.includes(c.benchmark))
    throw new Error(`the benchmark ${c.benchmark} is not among the symbols of ${c.from}`);
  const data = c.symbols.length > 0 ? selectSymbols(all, [...c.symbols].sort()) : all;
  checkTradable(data, c.costs, c.from);
  return { data, all, wanted, endExclusive, reserveFrom };
}

/** Runs a configured backtest on its bars: loading (never past the reserve unless final), simulating, scoring. */
export async function runBacktest(c: BacktestConfig, inputs: BacktestInputs): Promise<BacktestRun> {
  const readsReserve = c.reserve?.final_evaluation === true;
  const { data, all, wanted, endExclusive, reserveFrom } = await loadBacktestData(c, inputs.barsDir);

  let result: BacktestResult;
  if (c.engine === 'trading_path') {
    if (!inputs.tradingPath)
      throw new Error('engine: trading_path runs through the execution path, which only a backtest target has');
    // The strategy warms up on the bars before the start, as it does in a paper session.
    const history = c.start
      ? await loadMarketData({ storeDir: inputs.barsDir, symbols: wanted, adjust: c.adjust, start: null, endExclusive })
      : all;
    const historyData = c.symbols.length > 0 ? selectSymbols(history, [...c.symbols].sort()) : history;
    result = await inputs.tradingPath(historyData, data.dates[0]!);
  } else result = simulate(c, inputs.strategy, data);

  const equity = [...result.equity];
  const perf = performanceMetrics(equity, c.periods_per_year);
  const metrics: BacktestMetrics = {
    ...perf,
    dsr: deflatedSharpe(simpleReturns(equity), c.trials.count, c.trials.sharpe_variance),
    ...tradeStats(result, c.periods_per_year),
    ...result.costs,
  };

  let benchmark: BacktestRun['benchmark'] = null;
  if (c.benchmark) {
    const values = carryForward(all.close[all.symbols.indexOf(c.benchmark)]!);
    const first = values.findIndex((x) => !Number.isNaN(x));
    benchmark = {
      symbol: c.benchmark,
      values,
      metrics: performanceMetrics([...values.subarray(first)], c.periods_per_year),
    };
  }

  let split: BacktestRun['split'] = null;
  if (reserveFrom && readsReserve) {
    const cut = data.dates.findIndex((d) => d >= reserveFrom);
    if (cut < 3 || data.dates.length - cut < 2)
      throw new Error(
        `the reserve from ${reserveFrom} leaves too few sessions on one side (in-sample ${cut < 0 ? data.dates.length : cut}, reserve ${cut < 0 ? 0 : data.dates.length - cut}) for metrics`,
      );
    // The reserve's returns start from the last in-sample close: the first reserved return is the one into the reserve.
    split = {
      in_sample: performanceMetrics(equity.slice(0, cut), c.periods_per_year),
      out_of_sample: performanceMetrics(equity.slice(cut - 1), c.periods_per_year),
    };
  }

  let regimes: RegimeSliceResult[] | null = null;
  if (c.regimes) {
    if (!inputs.regimeFeaturesDir)
      throw new Error(`regimes read ${c.regimes.from}, which is not among this target's deps`);
    const columns = regimeColumns(c.regimes);
    const features = await loadFeatureColumns(
      inputs.regimeFeaturesDir,
      c.regimes.symbol,
      columns,
      data.dates,
      endExclusive,
    );
    regimes = regimeSlices(result.equity, (column) => features.get(column)!, c.regimes.slices, c.periods_per_year);
  }
  const profits = roundTrips(result.trades).map((t) => t.pnl);
  const resampled = monteCarlo(equity, profits, c.periods_per_year, c.monte_carlo);
  return { data, result, metrics, benchmark, split, regimes, reserveFrom, monteCarlo: resampled };
}

/**
 * The reserve's first session: its `from`, or for a `fraction` the session that leaves that
 * share of the period's sessions (rounded, at least one) from it on. The count reads the
 * calendar of the traded symbols' bars only, never a price, so it is the same whatever the
 * reserved bars hold.
 */
async function resolveReserveFrom(
  c: Pick<BacktestConfig, 'from' | 'start' | 'reserve'>,
  barsDir: string,
  symbols: readonly string[],
  endExclusive: string | null,
): Promise<string | null> {
  if (!c.reserve) return null;
  if (c.reserve.from) return c.reserve.from;
  const fraction = c.reserve.fraction!;
  const sessions = await loadSessionDates({ storeDir: barsDir, symbols, start: c.start ?? null, endExclusive });
  const reserved = Math.max(1, Math.round(sessions.length * fraction));
  if (sessions.length - reserved < 3)
    throw new Error(
      `a reserve of ${fraction} of ${c.from}'s ${sessions.length} sessions in the backtest's period leaves ${sessions.length - reserved} before it: at least 3 are needed`,
    );
  return sessions[sessions.length - reserved]!;
}
