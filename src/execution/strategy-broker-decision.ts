import { loadMarketData } from '../backtest/load-market-data.js';
import type { BacktestedStrategy } from '../backtest/backtested-strategy.js';
import { dayAfter } from '../data/calendar/civil-date.js';
import { StrategyError, type LoadedStrategy } from '../strategy/loaded-strategy.js';
import { latestBarWindow, type BarDecision } from './broker-decision.js';
import { strategyDecisions } from './strategy-decisions.js';

/**
 * A promoted backtest's strategy deciding on the latest bar among the last 30 days of its built
 * bars before `nowMs`, on the backtest's symbols and adjustment, from the account's book: the
 * same sizing as its shadow replay and paper sessions (target weights to whole shares at the
 * decision's close). Only vectorized strategies: an event-driven one keeps state from bar to
 * bar (its own fills, counters), which one decision a day against a broker cannot restore yet.
 */
export async function strategyDecision(o: {
  label: string;
  record: BacktestedStrategy;
  strategy: LoadedStrategy;
  barsDir: string;
  nowMs: number;
  maxLeverage: number;
}): Promise<BarDecision> {
  if (typeof o.strategy.definition.weights !== 'function')
    throw new StrategyError(
      `strategy '${o.strategy.definition.name}' (${o.strategy.file}) is event-driven: a broker session restores no strategy state between its daily decisions yet, so only vectorized strategies trade on a broker; replay it in a shadow or paper session`,
    );
  if (o.record.exits)
    throw new StrategyError(
      `strategy '${o.strategy.definition.name}' was backtested with exits (bracket:): a broker session makes one decision a day and does not yet carry the fills that arm exits from one session to the next, so it refuses rather than trade without them; backtest it without a bracket to trade it on a broker`,
    );
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
  const decide = strategyDecisions({
    strategy: o.strategy,
    panel: history,
    offset: last,
    maxLeverage: o.maxLeverage,
    sizing: o.record.sizing,
  });
  const index = new Map(history.symbols.map((s, i) => [s, i]));
  return {
    label: o.label,
    date: history.dates[last]!,
    initialCash: o.record.initial_cash,
    lastPrice: (s) => (index.has(s) ? history.close[index.get(s)!]![last]! : Number.NaN),
    decide: (book) => decide(0, { cash: book.cash, holdings: history.symbols.map((s) => book.position(s)) }, []),
  };
}
