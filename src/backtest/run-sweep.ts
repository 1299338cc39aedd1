import { performanceMetrics, type PerformanceMetrics } from '../evaluation/performance-metrics.js';
import { probabilityOfBacktestOverfitting, type PboResult } from '../evaluation/pbo.js';
import { cpcvOfSelection, type CpcvResult } from '../evaluation/cpcv.js';
import type { LoadedStrategy } from '../strategy/loaded-strategy.js';
import { backtestConfigSchema, type BacktestConfig } from './backtest-config.js';
import type { MarketData } from './market-data.js';
import { loadBacktestData, simulate } from './run-backtest.js';
import type { SweepConfig } from './sweep-config.js';
import { gridPoints, type GridValue } from './sweep-grid.js';
import { roundTrips } from './trade-stats.js';

export interface SweepPoint {
  /** Its index in the grid's order (the first axis slowest). */
  index: number;
  settings: Record<string, GridValue>;
  /** Null for a point the strategy's schema rejected (with `invalid: skip`). */
  metrics: (PerformanceMetrics & { round_trips: number; fees: number }) | null;
  rejected?: string;
}

export interface SweepResult {
  data: MarketData;
  reserveFrom: string | null;
  points: SweepPoint[];
  /** The valid point with the best select metric (ties: the first in grid order). */
  best: SweepPoint | null;
  /** Null with fewer than two valid points, or too few sessions for the blocks. */
  pbo: PboResult | null;
  pboSkipped?: string;
  /** Null without a valid point. */
  cpcv: CpcvResult | null;
}

/** What a sweep and a walk-forward share of a config: the strategy, its grid and how a point trades. */
export type GridSearch = Pick<
  SweepConfig,
  | 'from'
  | 'strategy'
  | 'grid'
  | 'invalid'
  | 'select'
  | 'sizing'
  | 'orders_on'
  | 'costs'
  | 'account'
  | 'periods_per_year'
>;

export type StrategyLoader = (settings: Record<string, unknown>) => Promise<LoadedStrategy>;

/** The backtest config of one point: the vectorized engine, the search's costs and account. */
export function pointBacktestConfig(c: GridSearch, settings: Record<string, unknown>): BacktestConfig {
  return backtestConfigSchema.parse({
    from: c.from,
    strategy: { kind: c.strategy.kind, ...settings },
    engine: 'vectorized',
    orders_on: c.orders_on,
    ...(c.sizing ? { sizing: c.sizing } : {}),
    costs: c.costs,
    account: c.account,
    periods_per_year: c.periods_per_year,
    monte_carlo: { samples: 0 },
  });
}

/** A point's settings: the strategy block's shared ones beside the grid's (kind and data left out). */
export function pointSettings(
  c: Pick<GridSearch, 'strategy'>,
  settings: Record<string, GridValue>,
): Record<string, unknown> {
  const { kind: _kind, data: _data, ...shared } = c.strategy;
  return { ...shared, ...settings };
}

/**
 * Every point of the grid backtested over `data` (the first `from` bars only warm the strategy
 * up), in grid order, with each valid point's period returns; and the best valid point by the
 * select metric (ties: the first).
 */
export async function sweepPoints(
  c: GridSearch,
  data: MarketData,
  strategyOf: StrategyLoader,
  from = 0,
): Promise<{ points: SweepPoint[]; returns: Float64Array[]; best: SweepPoint | null }> {
  const returns: Float64Array[] = [];
  const points: SweepPoint[] = [];
  for (const [index, settings] of gridPoints(c.grid).entries()) {
    let strategy: LoadedStrategy;
    try {
      strategy = await strategyOf(pointSettings(c, settings));
    } catch (err) {
      const why = (err as Error).message;
      if (c.invalid === 'skip') {
        points.push({ index, settings, metrics: null, rejected: why });
        continue;
      }
      throw new Error(
        `grid point ${pointName(settings)}: ${why} (narrow the grid, or set invalid: skip to record such points as skipped)`,
      );
    }
    if (typeof strategy.definition.weights !== 'function')
      throw new Error(
        `strategy '${c.strategy.kind}' is event-driven: a sweep runs vectorized strategies (weights(panel))`,
      );
    let result;
    try {
      result = simulate(pointBacktestConfig(c, pointSettings(c, settings)), strategy, data, from);
    } catch (err) {
      throw new Error(`grid point ${pointName(settings)}: ${(err as Error).message}`);
    }
    const equity = [...result.equity];
    const r = new Float64Array(equity.length - 1);
    for (let t = 1; t < equity.length; t++) r[t - 1] = equity[t]! / equity[t - 1]! - 1;
    returns.push(r);
    points.push({
      index,
      settings,
      metrics: {
        ...performanceMetrics(equity, c.periods_per_year),
        round_trips: roundTrips(result.trades).length,
        fees: result.costs.fees,
      },
    });
  }
  const metric = c.select.metric;
  let best: SweepPoint | null = null;
  for (const p of points) {
    const x = p.metrics?.[metric];
    if (x !== undefined && Number.isFinite(x) && (best === null || x > best.metrics![metric])) best = p;
  }
  return { points, returns, best };
}

/**
 * A vectorized strategy over every point of a grid of its settings, on bars loaded once (never
 * past an unread reserve): each point is a backtest on the vectorized engine with the same
 * costs and account, scored as backtests are. `strategyOf` loads the strategy with a point's
 * settings (its schema's parse: a point it rejects throws).
 */
export async function runSweep(
  c: SweepConfig,
  o: { barsDir: string; strategyOf: StrategyLoader },
): Promise<SweepResult> {
  const { data, reserveFrom } = await loadBacktestData({ ...c, benchmark: undefined }, o.barsDir);
  const { points, returns, best } = await sweepPoints(c, data, o.strategyOf);
  let pbo: PboResult | null = null;
  let pboSkipped: string | undefined;
  if (returns.length < 2) pboSkipped = 'fewer than two valid points';
  else if (returns[0]!.length < 2 * c.pbo.blocks)
    pboSkipped = `${returns[0]!.length} returns are too few for ${c.pbo.blocks} blocks`;
  else pbo = probabilityOfBacktestOverfitting(returns, c.pbo.blocks, c.periods_per_year);
  const cpcv =
    returns.length > 0
      ? cpcvOfSelection(
          returns,
          {
            groups: c.cpcv.groups,
            testGroups: c.cpcv.test_groups,
            horizon: c.costs.execution.delay_bars + 1,
            embargo: c.cpcv.embargo,
          },
          c.periods_per_year,
        )
      : null;
  return { data, reserveFrom, points, best, pbo, cpcv, ...(pboSkipped ? { pboSkipped } : {}) };
}

/** `fast=10,slow=50`: a point as the table and errors name it. */
export function pointName(settings: Record<string, GridValue>): string {
  return Object.entries(settings)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
}
