import { z } from 'zod';
import type { MarketData } from '../../src/backtest/market-data.js';
import type { CostModel } from '../../src/costs/cost-model.js';
import { riskConfigSchema } from '../../src/execution/risk-config.js';
import { replayStrategy } from '../../src/execution/strategy-session.js';
import { defineStrategy, type StrategyContext } from '../../src/strategy/define-strategy.js';
import { loadStrategy, type LoadedStrategy } from '../../src/strategy/loaded-strategy.js';

/** An event-driven strategy with no settings whose onBar is given: a probe for engine tests. */
export function eventDrivenStrategy(name: string, onBar: (ctx: StrategyContext) => void): LoadedStrategy {
  return loadStrategy(
    defineStrategy({ name, version: 1, config: z.object({}).strict(), start: () => ({ onBar }) }),
    name,
    `strategies/${name}.ts`,
    {},
  );
}

/** One symbol's (XYZ) bars from [open, high, low, close] rows, a day apart from 2021-01-04, 1,000 shares a bar. */
export function ohlcBars(rows: [number, number, number, number][]): MarketData {
  const col = (i: number) => [Float64Array.from(rows, (r) => r[i]!)];
  return {
    dates: rows.map((_, t) => new Date(Date.UTC(2021, 0, 4 + t)).toISOString().slice(0, 10)),
    symbols: ['XYZ'],
    open: col(0),
    high: col(1),
    low: col(2),
    close: col(3),
    volume: [new Float64Array(rows.length).fill(1000)],
  };
}

/** A strategy's session over all of `data` on the trading path, one symbol allowed the whole account. */
export function replayOn(strategy: LoadedStrategy, data: MarketData, costs: CostModel, initialCash = 100_000) {
  return replayStrategy({
    strategy,
    history: data,
    windowStart: data.dates[0]!,
    costs,
    initialCash,
    maxLeverage: 1,
    risk: riskConfigSchema.parse({ max_position_fraction: 1 }),
    runId: 'probe',
  });
}
