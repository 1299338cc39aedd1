import type { BarPanel } from '../strategy/bar-panel.js';
import type { LoadedStrategy } from '../strategy/loaded-strategy.js';
import type { OrderExits, OrderPrice, StrategyFill } from '../strategy/strategy-context.js';
import { startStrategy, type BarSource, type OrderTaker } from '../strategy/strategy-runner.js';
import type { Sizing } from '../strategy/sizing.js';
import { refuseSizingOfEvents, sessionWarmup, sizedWeights } from '../strategy/vectorized-weights.js';
import { barsBetween } from '../backtest/market-data.js';
import { pastBars } from '../strategy/past-bars.js';
import type { OrderIntent } from './order-intent.js';
import { ProtectiveExits } from './protective-exits.js';
import type { SimulatedFill } from './simulated-exchange.js';
import { clientOrderId } from './client-order-id.js';

/** The book a decision sees at a close: cash and whole shares per symbol, in the panel's symbol order. */
export interface DecisionBook {
  readonly cash: number;
  readonly holdings: readonly number[];
}

/** A session's decision on bar t of its window: order intents, from the book and the fills booked on that bar. */
export type StrategyDecide = (t: number, book: DecisionBook, fills: readonly SimulatedFill[]) => OrderIntent[];

/**
 * A strategy on the trading path: at each close of the window it turns the strategy's wishes
 * into order intents for the risk engine and the router, never orders of its own. Target
 * weights become whole shares at that close's price (an order to a broker is in shares; it
 * fills on the next bar); share orders are truncated to whole shares. The strategy is handed
 * the window and, before it, its own and its sizing's warm-up of `history` (no more: a session,
 * a backtest and a broker's replay all start it alike), so the window starts warmed up. An event-driven strategy reads the panel through a view that ends at the decision's bar:
 * no future is in it. A vectorized one is run over the panel once and read bar by bar, as the
 * backtest engines read it (it promises weights[s][t] reads nothing after t).
 */
export function strategyDecisions(o: {
  strategy: LoadedStrategy;
  /** The bars up to the window's end. */
  history: BarPanel;
  /** Index in `history` of the window's first bar: t = 0. */
  first: number;
  maxLeverage: number;
  /** How a vectorized strategy's decisions become positions (its own weights when absent). */
  sizing?: Sizing;
  /** Exits on every position an order opens that names none of its own (a backtest's or session's `bracket:`). */
  exits?: OrderExits;
  /**
   * The run id of the session deciding on a date (what client order ids derive from): a fill is
   * known by the intent it filled, so an exit's fill is told to the strategy with its reason and
   * a limit or stop order works for more than one bar (re-sent each close, for what is left of
   * it, until it fills or its `good_for_bars` run out).
   */
  runIdOf: (date: string) => string;
}): StrategyDecide {
  const { strategy } = o;
  const offset = Math.min(sessionWarmup(strategy, o.sizing), o.first);
  const panel = barsBetween(o.history, o.first - offset, o.history.dates.length);
  const who = `strategy '${strategy.definition.name}' (${strategy.file})`;
  const S = panel.symbols.length;
  const lastClose = (s: number, p: number) => {
    for (let k = p; k >= 0; k--) {
      const c = panel.close[s]![k]!;
      if (Number.isFinite(c)) return c;
    }
    return Number.NaN;
  };
  const equityAt = (book: DecisionBook, p: number) =>
    book.holdings.reduce((v, q, s) => (q === 0 ? v : v + q * lastClose(s, p)), book.cash);

  /**
   * Intents to move each symbol from what it holds to `target` shares: sells first (they free the
   * cash buys need), then buys, each in the order the strategy placed them (a vectorized one's:
   * symbol order), as the event-driven engine fills them; when the cash cannot pay for every buy,
   * the first placed are the ones filled.
   */
  const intentsTo = (
    p: number,
    book: DecisionBook,
    targets: Map<number, { shares: number; why: string }>,
    /** What the strategy noted its decision read, by symbol (see StrategyContext.note). */
    inputsOf: (s: number) => Record<string, string | number> | undefined = () => undefined,
  ) => {
    const date = panel.dates[p]!;
    const intents: OrderIntent[] = [];
    for (const sells of [true, false])
      for (const [s, { shares, why }] of targets) {
        const delta = shares - book.holdings[s]!;
        if (delta === 0 || delta < 0 !== sells) continue;
        const held = book.holdings[s]!;
        const inputs = inputsOf(s);
        intents.push({
          id: `${date}:${panel.symbols[s]}`,
          symbol: panel.symbols[s]!,
          side: delta > 0 ? 'buy' : 'sell',
          quantity: Math.abs(delta),
          reason: `${who}: ${why}`,
          estimated_price: panel.close[s]![p]!,
          decided_at: date,
          ...(Math.abs(shares) < Math.abs(held) && Math.sign(shares) !== -Math.sign(held) ? { reduce_only: true } : {}),
          ...(inputs ? { inputs } : {}),
        });
      }
    return intents;
  };

  if (typeof strategy.definition.weights === 'function') {
    const { values, unit } = sizedWeights(strategy, panel, o.maxLeverage, o.sizing);
    const exitBook = o.exits ? new ProtectiveExits(panel, who) : undefined;
    return (t, book, fills) => {
      const p = t + offset;
      const equity = equityAt(book, p);
      exitBook?.observe(p, fills, book.holdings);
      const targets = new Map<number, { shares: number; why: string }>();
      for (let s = 0; s < S; s++) {
        const v = values[s]![p]!;
        const price = panel.close[s]![p]!;
        if (Number.isNaN(v) || !(price > 0)) continue; // no decision for it, or no price to size at: hold
        targets.set(
          s,
          unit === 'notional'
            ? { shares: Math.trunc(v / price), why: `target notional ${v}` }
            : { shares: Math.trunc((v * equity) / price), why: `target weight ${v}` },
        );
        exitBook?.want(s, o.exits, p);
      }
      const own = intentsTo(p, book, targets);
      if (!exitBook) return own;
      return [...own, ...exitBook.intents(p, (s) => targets.get(s)?.shares ?? book.holdings[s]!)];
    };
  }

  refuseSizingOfEvents(o.sizing, strategy.definition.name);
  const run = startStrategy(strategy, panel.symbols, o.exits);
  const exitBook = new ProtectiveExits(panel, who);
  const intentOf = new Map<string, string>();
  /** A client order id to the intent it came from, for what a session booked on the bar after sending it. */
  const sent = (intents: OrderIntent[]) => {
    for (const i of intents) intentOf.set(clientOrderId(o.runIdOf(i.decided_at), i.id), i.id);
    return intents;
  };
  /** Limit and stop orders still working: re-sent as day orders for what is left, through `lastBar`. */
  let working: WorkingOrder[] = [];
  let serial = 0;
  const pricedIntent = (p: number, w: WorkingOrder): OrderIntent => {
    const type = w.price.limit !== undefined ? 'limit' : 'stop';
    const level = w.price.limit ?? w.price.stop!;
    const date = panel.dates[p]!;
    return {
      id: `${date}:${panel.symbols[w.s]}:${type}${w.serial}`,
      symbol: panel.symbols[w.s]!,
      side: w.shares > 0 ? 'buy' : 'sell',
      quantity: Math.abs(w.shares),
      reason: `${who}: ${type} order of ${w.shares} shares at ${level}${w.placed === p ? '' : ` (working since ${panel.dates[w.placed]}, what is left of it)`}`,
      estimated_price: panel.close[w.s]![p]!,
      decided_at: date,
      type,
      ...(type === 'limit' ? { limit_price: level } : { stop_price: level }),
    };
  };
  return (t, book, fills) => {
    const p = t + offset;
    const equity = equityAt(book, p);
    // What filled of each working order, and which have run their course (filled, or no bar of their life left).
    const byIntent = new Map(fills.map((f) => [intentOf.get(f.client_order_id), f]));
    for (const w of working) for (const id of w.intents) if (byIntent.has(id)) w.shares -= byIntent.get(id)!.shares;
    working = working.filter((w) => w.shares !== 0 && p + 1 <= w.lastBar);
    const source: BarSource = {
      t,
      date: panel.dates[p]!,
      ...pastBars(panel, () => p),
      position: (s) => book.holdings[s]!,
      cash: book.cash,
      equity,
      // Market orders are day orders, filled or cancelled on the next bar: only limit and stop orders still work at a close.
      openOrders: (s) => working.filter((w) => s === undefined || w.s === s).length,
    };
    const targets = new Map<number, { shares: number; why: string }>();
    const wanted = (s: number) => targets.get(s)?.shares ?? book.holdings[s]!;
    const barNote: Record<string, string | number> = {};
    const symbolNotes = new Map<number, Record<string, string | number>>();
    const inputsOf = (s: number) => {
      const inputs = { ...barNote, ...symbolNotes.get(s) };
      return Object.keys(inputs).length > 0 ? inputs : undefined;
    };
    const taker: OrderTaker = {
      targetWeight: (s, weight, exits) => {
        exitBook.want(s, exits, p);
        const price = panel.close[s]![p]!;
        if (!(price > 0)) return;
        targets.set(s, { shares: Math.trunc((weight * equity) / price), why: `target weight ${weight}` });
      },
      shares: (s, n, exits, price) => {
        exitBook.want(s, exits, p);
        const whole = Math.trunc(n);
        if (whole === 0) return;
        if (!price) return void targets.set(s, { shares: wanted(s) + whole, why: `order of ${whole} shares` });
        working.push({
          s,
          shares: whole,
          price,
          placed: p,
          lastBar: p + (price.good_for_bars ?? 1),
          serial: serial++,
          intents: [],
        });
      },
      cancel: (s) => {
        working = working.filter((w) => s !== undefined && w.s !== s);
      },
      note: (s, inputs) => {
        if (s === undefined) Object.assign(barNote, inputs);
        else symbolNotes.set(s, { ...symbolNotes.get(s), ...inputs });
      },
    };
    const heard: StrategyFill[] = fills.map((f) => {
      const intent = intentOf.get(f.client_order_id);
      return {
        symbol: f.symbol,
        date: f.date,
        shares: f.shares,
        price: f.price,
        fee: f.fee,
        reason: (intent && exitBook.fillReason(intent, f.price)) ?? 'order',
      };
    });
    exitBook.observe(p, fills, book.holdings);
    run.onBar(source, taker, heard);
    const priced = working.map((w) => {
      const intent = pricedIntent(p, w);
      w.intents.push(intent.id);
      return intent;
    });
    // Protection covers the position as the strategy's own orders of this close leave it (none
    // where it closes or flips it, or has a limit or stop order of its own working on the symbol).
    const pricedOn = new Set(working.map((w) => w.s));
    const after = (s: number) => (pricedOn.has(s) ? 0 : wanted(s));
    return sent([...intentsTo(p, book, targets, inputsOf), ...priced, ...exitBook.intents(p, after)]);
  };
}

/** A limit or stop order of the strategy's, working until it fills or its last bar passes. */
interface WorkingOrder {
  readonly s: number;
  /** Signed shares still to fill. */
  shares: number;
  readonly price: OrderPrice;
  /** The bar that placed it, and the last bar it may fill on (placed + good_for_bars). */
  readonly placed: number;
  readonly lastBar: number;
  readonly serial: number;
  /** The intents it was sent as, one per close it worked through. */
  readonly intents: string[];
}
