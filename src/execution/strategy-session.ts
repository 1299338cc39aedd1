import { barsBetween, type MarketData } from '../backtest/market-data.js';
import type { CostModel } from '../costs/cost-model.js';
import type { LoadedStrategy } from '../strategy/loaded-strategy.js';
import type { Sizing } from '../strategy/sizing.js';
import type { OrderExits } from '../strategy/strategy-context.js';
import { runReplaySession, type SessionRecord } from './replay-session.js';
import type { RiskConfig } from './risk-config.js';
import { sessionMetrics, type SessionMetrics } from './session-metrics.js';
import { strategyDecisions } from './strategy-decisions.js';

/**
 * A strategy traded over a window of historical bars on the simulated exchange, through the
 * trading path (its intents, the risk engine, the router, next-bar fills through the cost model,
 * the ledger): a paper session of a strategy. `history` runs up to the window's end; the
 * strategy sees its warm-up's worth of the bars before the window. A strategy that fails halts
 * the session (nothing more is sent) and the reason is in the record.
 */
export async function replayStrategy(o: {
  strategy: LoadedStrategy;
  history: MarketData;
  windowStart: string;
  costs: CostModel;
  initialCash: number;
  maxLeverage: number;
  /** How a vectorized strategy's decisions become positions (its own weights when absent). */
  sizing?: Sizing;
  /** Exits on every position an order opens that names none of its own. */
  exits?: OrderExits;
  risk: RiskConfig;
  runId: string;
  /** halt (a paper session: nothing more is sent, the reason is recorded) or throw (a backtest fails with it). */
  onStrategyError?: 'halt' | 'throw';
}): Promise<{ session: SessionRecord & { metrics: SessionMetrics }; window: MarketData }> {
  const first = o.history.dates.findIndex((d) => d >= o.windowStart);
  if (first < 0 || o.history.dates.length - first < 2)
    throw new Error(
      `the window from ${o.windowStart} has fewer than 2 sessions of bars: widen it, or build newer bars`,
    );
  const window = barsBetween(o.history, first, o.history.dates.length);
  const decide = strategyDecisions({
    strategy: o.strategy,
    history: o.history,
    first,
    maxLeverage: o.maxLeverage,
    ...(o.sizing ? { sizing: o.sizing } : {}),
    ...(o.exits ? { exits: o.exits } : {}),
    runIdOf: () => o.runId,
  });
  let failure: unknown;
  const session = await runReplaySession({
    bars: window,
    costs: o.costs,
    initialCash: o.initialCash,
    risk: o.risk,
    runId: o.runId,
    decide: (t, book, fills) => {
      try {
        return decide(t, book, fills);
      } catch (err) {
        failure ??= err;
        throw err;
      }
    },
  });
  if (failure !== undefined && o.onStrategyError === 'throw') throw failure;
  return { session: { ...session, metrics: sessionMetrics(session) }, window };
}
