import type { LoadedStrategy } from '../strategy/loaded-strategy.js';
import type { StrategyFill } from '../strategy/strategy-context.js';
import { startStrategy } from '../strategy/strategy-runner.js';
import { vectorizedWeights } from '../strategy/vectorized-weights.js';
import type { Bracket } from './account-config.js';
import { targetWeightStrategy, type EventStrategy } from './event-driven.js';
import type { MarketData } from './market-data.js';

/**
 * A loaded strategy as the event-driven engine runs it. A vectorized one places its target
 * weights on each decision bar; an event-driven one gets a StrategyContext over the engine's
 * view of the bar (no future in it) and its orders go to the engine's order book. `exits` are
 * the config's bracket: attached to every order that names none of its own. Whatever the
 * strategy does wrong fails with its name and the bar.
 */
export function eventStrategyOf(
  strategy: LoadedStrategy,
  data: MarketData,
  maxLeverage: number,
  exits?: Bracket,
): EventStrategy {
  if (typeof strategy.definition.weights === 'function')
    return targetWeightStrategy(vectorizedWeights(strategy, data, maxLeverage), exits);
  const run = startStrategy(strategy, data.symbols, exits);
  return {
    onBar(view, sink) {
      const fills: StrategyFill[] = view.fills.map((f) => ({
        symbol: f.symbol,
        date: f.date,
        shares: f.shares,
        price: f.price,
        fee: f.fee,
        reason: f.reason,
      }));
      run.onBar(view, sink, fills);
    },
  };
}
