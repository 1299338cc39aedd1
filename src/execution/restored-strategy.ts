import type { MarketData } from '../backtest/market-data.js';
import { StrategyError, type LoadedStrategy } from '../strategy/loaded-strategy.js';
import type { Sizing } from '../strategy/sizing.js';
import type { OrderExits } from '../strategy/strategy-context.js';
import type { AccountBook } from './broker-session.js';
import type { OrderIntent } from './order-intent.js';
import { strategyDecisions } from './strategy-decisions.js';
import { TradingLedger } from './trading-ledger.js';

/**
 * A strategy's decision on the last bar of `history` for an account that has traded it for days,
 * its state restored by replay rather than saved: a broker session is one process a day, and
 * whatever an event-driven strategy keeps from bar to bar (its own fills, counters, the exits its
 * fills armed) would be lost between them. So the strategy is started again at the account's
 * first deciding session (its warm-up of bars before it) and run over every bar since, each close
 * seeing the cash and positions the account's ledger held then and told the fills it booked in
 * the session before (as a process that never stopped would have heard them, on the next bar);
 * its intents on past bars are dropped (those sessions sent theirs), the last bar's are today's.
 * Strategies are deterministic functions of what they were shown, so the state it reaches is the
 * one it would have kept, with nothing for an author to save or load. Bars on which no session
 * ran are shown to it all the same (it decides on them, and nothing is sent), as an order that
 * was never placed.
 */
export function restoredStrategyDecide(o: {
  strategy: LoadedStrategy;
  /** The bars up to and including the decision's. */
  history: MarketData;
  initialCash: number;
  maxLeverage: number;
  sizing?: Sizing;
  exits?: OrderExits;
  /** The run id the session of each date had (its client order ids derive from it). */
  runIdOf: (date: string) => string;
}): (book: AccountBook) => OrderIntent[] {
  const { history } = o;
  const last = history.dates.length - 1;
  return (book) => {
    const decidedOn = [...book.sessions.map((m) => m.session), ...book.fills.map((f) => f.date)].sort();
    const first = decidedOn.length === 0 ? last : history.dates.findIndex((d) => d >= decidedOn[0]!);
    if (first < 0)
      throw new StrategyError(
        `the account's ledger has a session on ${decidedOn[0]}, after the latest bar (${history.dates[last]}): build fresher bars first`,
      );
    const ranAs = new Map(book.sessions.map((m) => [m.session, m.run_id]));
    const decide = strategyDecisions({
      strategy: o.strategy,
      history,
      first,
      maxLeverage: o.maxLeverage,
      ...(o.sizing ? { sizing: o.sizing } : {}),
      ...(o.exits ? { exits: o.exits } : {}),
      runIdOf: (date) => ranAs.get(date) ?? o.runIdOf(date),
    });
    const replayed = new TradingLedger(o.initialCash);
    let next = 0;
    let intents: OrderIntent[] = [];
    for (let p = first; p <= last; p++) {
      const date = history.dates[p]!;
      // Booked by the session of an earlier bar, heard on this one: the fills of the orders it sent.
      const heard = [];
      for (; next < book.fills.length && book.fills[next]!.date < date; next++) {
        const fill = book.fills[next]!;
        replayed.record(fill);
        heard.push({ ...fill, date });
      }
      const holdings = history.symbols.map((s) => replayed.position(s));
      intents = decide(p - first, { cash: replayed.cash, holdings }, heard);
    }
    if (next !== book.fills.length || replayed.cash !== book.cash)
      throw new StrategyError(
        `the account's ledger has fills on or after ${history.dates[last]}, the bar being decided: a session for it already ran`,
      );
    return intents;
  };
}
