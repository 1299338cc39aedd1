import type { BarPanel } from '../strategy/bar-panel.js';
import { StrategyError, type LoadedStrategy } from '../strategy/loaded-strategy.js';
import type { OrderExits, OrderPrice, StrategyFill } from '../strategy/strategy-context.js';
import { startStrategy, type BarSource, type OrderTaker } from '../strategy/strategy-runner.js';
import type { Sizing } from '../strategy/sizing.js';
import { refuseSizingOfEvents, sizedWeights } from '../strategy/vectorized-weights.js';
import type { OrderIntent } from './order-intent.js';
import { ProtectiveExits } from './protective-exits.js';
import type { SimulatedFill } from './simulated-exchange.js';

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
 * fills on the next bar); share orders are truncated to whole shares. `panel` holds the window
 * and, before it, `offset` bars of history (the strategy's warm-up), so the window starts warmed
 * up. An event-driven strategy reads the panel through a view that ends at the decision's bar:
 * no future is in it. A vectorized one is run over the panel once and read bar by bar, as the
 * backtest engines read it (it promises weights[s][t] reads nothing after t).
 */
export function strategyDecisions(o: {
  strategy: LoadedStrategy;
  panel: BarPanel;
  /** Index in the panel of the window's first bar. */
  offset: number;
  maxLeverage: number;
  /** How a vectorized strategy's decisions become positions (its own weights when absent). */
  sizing?: Sizing;
  /** Exits on every position an order opens that names none of its own (a backtest's or session's `bracket:`). */
  exits?: OrderExits;
}): StrategyDecide {
  const { panel, offset, strategy } = o;
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

  /** Intents to move each symbol from what it holds to `target` shares: sells first (they free the cash buys need), then buys. */
  const intentsTo = (p: number, book: DecisionBook, targets: Map<number, { shares: number; why: string }>) => {
    const date = panel.dates[p]!;
    const intents: OrderIntent[] = [];
    for (const sells of [true, false])
      for (const [s, { shares, why }] of [...targets].sort((a, b) => a[0] - b[0])) {
        const delta = shares - book.holdings[s]!;
        if (delta === 0 || delta < 0 !== sells) continue;
        const held = book.holdings[s]!;
        intents.push({
          id: `${date}:${panel.symbols[s]}`,
          symbol: panel.symbols[s]!,
          side: delta > 0 ? 'buy' : 'sell',
          quantity: Math.abs(delta),
          reason: `${who}: ${why}`,
          estimated_price: panel.close[s]![p]!,
          decided_at: date,
          ...(Math.abs(shares) < Math.abs(held) && Math.sign(shares) !== -Math.sign(held) ? { reduce_only: true } : {}),
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
  /** A limit or stop order as an intent of its own: a day order at its price, never netted with the targets. */
  const pricedIntent = (p: number, s: number, shares: number, price: OrderPrice, k: number): OrderIntent => {
    if ((price.good_for_bars ?? 1) !== 1)
      throw new StrategyError(
        `${who}: good_for_bars ${price.good_for_bars}: orders on the trading path are day orders (good_for_bars: 1)`,
      );
    const type = price.limit !== undefined ? 'limit' : 'stop';
    const level = price.limit ?? price.stop!;
    const date = panel.dates[p]!;
    return {
      id: `${date}:${panel.symbols[s]}:${type}${k}`,
      symbol: panel.symbols[s]!,
      side: shares > 0 ? 'buy' : 'sell',
      quantity: Math.abs(shares),
      reason: `${who}: ${type} order of ${shares} shares at ${level}`,
      estimated_price: panel.close[s]![p]!,
      decided_at: date,
      type,
      ...(type === 'limit' ? { limit_price: level } : { stop_price: level }),
    };
  };
  return (t, book, fills) => {
    const p = t + offset;
    const equity = equityAt(book, p);
    const ago = (k: number | undefined) => {
      const back = k ?? 0;
      if (!(back >= 0))
        throw new Error(
          `it asked for a bar ${-back} ahead on ${panel.dates[p]}: strategies see only bars at or before their decision`,
        );
      return p - back;
    };
    const read = (xs: readonly Float64Array[] | undefined, s: number, k: number | undefined) => xs?.[s]![ago(k)];
    const source: BarSource = {
      t,
      date: panel.dates[p]!,
      close: (s, k) => read(panel.close, s, k) ?? Number.NaN,
      open: (s, k) => read(panel.open, s, k) ?? Number.NaN,
      volume: (s, k) => read(panel.volume, s, k) ?? Number.NaN,
      high: (s, k) =>
        read(panel.high, s, k) ?? Math.max(read(panel.open, s, k) ?? Number.NaN, read(panel.close, s, k) ?? Number.NaN),
      low: (s, k) =>
        read(panel.low, s, k) ?? Math.min(read(panel.open, s, k) ?? Number.NaN, read(panel.close, s, k) ?? Number.NaN),
      position: (s) => book.holdings[s]!,
      cash: book.cash,
      equity,
      // Every order of a session is a day order, filled or cancelled on the next bar: none is open at a close.
      openOrders: () => 0,
    };
    const targets = new Map<number, { shares: number; why: string }>();
    const priced: OrderIntent[] = [];
    const wanted = (s: number) => targets.get(s)?.shares ?? book.holdings[s]!;
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
        if (price) priced.push(pricedIntent(p, s, whole, price, priced.length));
        else targets.set(s, { shares: wanted(s) + whole, why: `order of ${whole} shares` });
      },
      cancel: () => {},
    };
    const heard: StrategyFill[] = fills.map((f) => ({
      symbol: f.symbol,
      date: f.date,
      shares: f.shares,
      price: f.price,
      fee: f.fee,
      reason: 'order',
    }));
    exitBook.observe(p, fills, book.holdings);
    run.onBar(source, taker, heard);
    // Protection covers the position as the strategy's own orders of this close leave it (none
    // where it closes or flips it, or places a limit or stop order of its own on the symbol).
    const pricedOn = new Set(priced.map((i) => panel.symbols.indexOf(i.symbol)));
    const after = (s: number) => (pricedOn.has(s) ? 0 : wanted(s));
    return [...intentsTo(p, book, targets), ...priced, ...exitBook.intents(p, after)];
  };
}
