import { loadMarketData } from '../backtest/load-market-data.js';
import type { BacktestedStrategy } from '../backtest/backtested-strategy.js';
import { dayAfter } from '../data/calendar/civil-date.js';
import type { LoadedStrategy } from '../strategy/loaded-strategy.js';
import { brokerRunId, latestBarWindow, type BarDecision } from './broker-decision.js';
import { restoredStrategyDecide } from './restored-strategy.js';

/** What a strategy trades on a broker: its bars' target, symbols, adjustment, cash, sizing and exits (a backtest's record has them). */
export type TradedStrategy = Pick<BacktestedStrategy, 'from' | 'symbols' | 'adjust' | 'initial_cash'> &
  Partial<Pick<BacktestedStrategy, 'sizing' | 'exits'>>;

/**
 * A promoted strategy (a backtest's, or an experiment's policy) deciding on the latest bar among the last 30 days of its built
 * bars before `nowMs`, on the backtest's symbols and adjustment, with its sizing and exits, from
 * the account's book: the same decisions as its shadow replay and paper sessions. Vectorized or
 * event-driven, its state is restored by replaying the account's sessions (restoredStrategyDecide).
 */
export async function strategyDecision(o: {
  label: string;
  record: TradedStrategy;
  strategy: LoadedStrategy;
  barsDir: string;
  nowMs: number;
  maxLeverage: number;
}): Promise<BarDecision> {
  const window = latestBarWindow(o.nowMs);
  const history = await loadMarketData({
    storeDir: o.barsDir,
    symbols: [...o.record.symbols].sort(),
    adjust: o.record.adjust,
    start: null,
    endExclusive: dayAfter(window.end),
  });
  const last = history.dates.length - 1;
  if (last < 0 || history.dates[last]! < window.start)
    throw new Error(`no bars of ${o.record.from} in the 30 days before ${window.end}: build fresher data first`);
  const index = new Map(history.symbols.map((s, i) => [s, i]));
  return {
    label: o.label,
    date: history.dates[last]!,
    initialCash: o.record.initial_cash,
    lastPrice: (s) => (index.has(s) ? history.close[index.get(s)!]![last]! : Number.NaN),
    decide: restoredStrategyDecide({
      strategy: o.strategy,
      history,
      initialCash: o.record.initial_cash,
      maxLeverage: o.maxLeverage,
      ...(o.record.sizing ? { sizing: o.record.sizing } : {}),
      ...(o.record.exits ? { exits: o.record.exits } : {}),
      runIdOf: (date) => brokerRunId(o.label, date),
    }),
  };
}
