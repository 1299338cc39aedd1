import { limitFillModel, simulateFillAt, type CostModel } from '../costs/cost-model.js';
import type { AccountConfig, Bracket } from './account-config.js';
import type { BacktestResult, FillReason, OrderRecord, Trade } from './backtest-result.js';
import type { MarketData } from './market-data.js';
import { priceOrderTrigger } from './price-order-trigger.js';
import { PortfolioBook } from './portfolio-book.js';
import { panelAtr } from '../strategy/panel-atr.js';
import type { OrderPrice } from '../strategy/strategy-context.js';
import type { BarSource, OrderTaker } from '../strategy/strategy-runner.js';
import { pastBars } from '../strategy/past-bars.js';

/**
 * What a strategy sees on bar t's close: that bar and the ones before it, never a later one
 * (asking for a bar in the future throws), the account as it stands, and this bar's fills.
 */
export interface BarView extends BarSource {
  readonly symbolCount: number;
  /** The fills of this bar, in the order they happened. */
  readonly fills: readonly Trade[];
}

/** Where a strategy places orders; each executes on the bar the cost model's delay names. */
export type OrderSink = OrderTaker;

export interface EventStrategy {
  onBar(bar: BarView, orders: OrderSink): void;
}

interface PendingOrder {
  record: number;
  symbol: number;
  kind: 'target_weight' | 'shares' | 'limit' | 'stop' | 'exit';
  /** For target_weight before its first fill: the weight; afterwards (and for the rest): shares still wanted. */
  amount: number;
  resolved: boolean;
  due: number;
  decided: number;
  bracket: Bracket | undefined;
  /** limit and stop: the price the bar must trade at or through. */
  level?: number;
  /** limit and stop: the last bar it may fill on; it is cancelled after. */
  lastBar?: number;
}

interface ActiveBracket {
  /** The tightest fixed stop (stop_loss, stop_atr), NaN without one. */
  stop: number;
  take: number;
  /** trailing_stop's fraction (NaN without one) and the best close since the fill it trails. */
  trail: number;
  best: number;
  /** The bar the time exit closes the position on (Infinity without one). */
  exitAt: number;
  /** The first bar whose range can trigger it (the fill bar itself when the fill was at its open). */
  activeFrom: number;
  /** The first bar whose open counts as a gap through a level (never the fill's own open). */
  openFrom: number;
}

/**
 * The event-driven engine: bar by bar, in this order: borrow on shorts carried overnight;
 * orders due this bar fill at the execution price (target weights sized on the equity valued
 * there, as the vectorized engine does, so the two agree to the last bit when configured
 * alike); stop-loss and take-profit exits trigger on the bar's range (at the open when it
 * gapped through, the stop first when both are in range); positions are marked at the close;
 * a maintenance-margin breach closes everything on the next execution bar; and then the
 * strategy decides on the close. Partial fills under the participation cap carry their
 * remainder to the next bar or cancel it, as the account says.
 */
export function backtestEvents(
  data: MarketData,
  strategy: EventStrategy,
  model: CostModel,
  account: AccountConfig,
): BacktestResult {
  return new EventSimulation(data, model, account).run(strategy);
}

/** One run of the event-driven engine: the book, the orders and the bar being simulated. */
class EventSimulation {
  private readonly book: PortfolioBook;
  private readonly shares: Float64Array;
  private readonly brackets: (ActiveBracket | undefined)[];
  private readonly orders: OrderRecord[] = [];
  private readonly trades: Trade[] = [];
  private pending: PendingOrder[] = [];
  private readonly delay: number;
  private readonly useOpen: boolean;
  /** The bar being simulated. */
  private t = 0;
  /** Traded value on the current bar, for turnover. */
  private traded = 0;
  /** Index of the current bar's first fill in `trades`. */
  private firstFillOfBar = 0;
  /** What a strategy may place and cancel. */
  private readonly sink: OrderSink;
  /** What a strategy may see: bars at or before t, its positions, cash and equity. */
  private readonly view: BarView;
  /** The cost model of limit fills: fees and the participation cap, no slippage past the limit. */
  private readonly limitModel: CostModel;
  /** ATR per symbol and window, computed once (each value reads bars at or before its own). */
  private readonly atrs = new Map<string, number[]>();

  constructor(
    private readonly data: MarketData,
    private readonly model: CostModel,
    private readonly account: AccountConfig,
  ) {
    this.book = new PortfolioBook(data, account.initial_cash);
    this.shares = this.book.shares;
    this.brackets = new Array(data.symbols.length).fill(undefined);
    this.delay = model.execution.delay_bars;
    this.useOpen = model.execution.price === 'open';
    this.limitModel = limitFillModel(model);
    this.sink = {
      targetWeight: (s, weight, bracket) => this.placeOrder(s, 'target_weight', weight, bracket),
      shares: (s, n, bracket, price) => this.placeOrder(s, 'shares', n, bracket, price),
      cancel: (s) => {
        this.pending = this.pending.filter((o) => {
          const keep = s !== undefined && o.symbol !== s;
          if (!keep) this.closeRecord(o);
          return keep;
        });
      },
      // A backtest's orders carry no intents to record a note with.
      note: () => {},
    };
    // Getters of an object literal have their own `this`: they read the simulation through these.
    const now = () => this.t;
    const book = () => this.book;
    const shares = this.shares;
    const pending = () => this.pending;
    const trades = this.trades;
    const firstFill = () => this.firstFillOfBar;
    const bars = pastBars(data, now);
    this.view = {
      get t() {
        return now();
      },
      get date() {
        return data.dates[now()]!;
      },
      symbolCount: data.symbols.length,
      ...bars,
      position: (s) => shares[s]!,
      openOrders: (s) => pending().filter((o) => s === undefined || o.symbol === s).length,
      get fills() {
        return trades.slice(firstFill());
      },
      get cash() {
        return book().cash;
      },
      get equity() {
        return book().equity[now()]!;
      },
    };
  }

  run(strategy: EventStrategy): BacktestResult {
    const { book, data } = this;
    for (this.t = 0; this.t < data.dates.length; this.t++) {
      const t = this.t;
      book.accrueBorrow(this.model, t);
      this.traded = 0;
      this.firstFillOfBar = this.trades.length;
      let turnoverBase = this.fillDueOrders();
      turnoverBase = this.protectiveExits(turnoverBase);
      this.trailBest();
      book.turnover[t] = this.traded > 0 && turnoverBase > 0 ? this.traded / turnoverBase : 0;
      const g = book.markClose(t);
      if (this.account.maintenance_margin > 0 && g > 0 && book.equity[t]! < this.account.maintenance_margin * g) {
        this.closeOut();
        continue; // the account is being closed out: the strategy does not trade on this close
      }
      strategy.onBar(this.view, this.sink);
    }
    for (const o of this.pending) if (o.record >= 0) this.orders[o.record]!.status = 'open';
    return book.result(this.orders, this.trades);
  }

  private execPrice(s: number): number {
    return this.useOpen ? this.data.open[s]![this.t]! : this.data.close[s]![this.t]!;
  }

  /** Orders due now, in the order they were placed. Returns the equity turnover is measured on (NaN when none was due). */
  private fillDueOrders(): number {
    const { data, book, shares, orders, account, t } = this;
    if (!this.pending.some((o) => o.due <= t)) return Number.NaN;
    const execPrice = (s: number) => this.execPrice(s);
    const equityAtExec = book.value(execPrice);
    let grossNow = book.grossValue(execPrice);
    const still: PendingOrder[] = [];
    for (const o of this.pending) {
      if (o.due > t) {
        still.push(o);
        continue;
      }
      const s = o.symbol;
      const price = execPrice(s);
      if (Number.isNaN(price)) {
        // No bar to fill on: wait for the next one, or give up, as the account says.
        if (account.unfilled === 'carry') {
          o.due = t + 1;
          still.push(o);
        } else this.closeRecord(o);
        continue;
      }
      // A limit or stop order fills only on a bar that trades at or through its price, at that price (or the open beyond it).
      let at = price;
      if (o.kind === 'limit' || o.kind === 'stop') {
        this.recordOf(o);
        const trigger = priceOrderTrigger(o.kind, Math.sign(o.amount), o.level!, {
          open: data.open[s]![t]!,
          close: data.close[s]![t]!,
          high: data.high?.[s]![t],
          low: data.low?.[s]![t],
        });
        if (trigger === undefined) {
          if (t < o.lastBar!) {
            o.due = t + 1;
            still.push(o);
          } else this.closeRecord(o);
          continue;
        }
        at = trigger;
      }
      let wanted = o.resolved ? o.amount : (o.amount * equityAtExec) / price - shares[s]!;
      if (!o.resolved && Math.abs(wanted) < 1e-12) continue; // already at the target: no order at all
      wanted = capToLeverage(
        wanted,
        shares[s]!,
        price,
        grossNow,
        account.max_leverage * equityAtExec,
        o.kind === 'exit',
      );
      this.recordOf(o, wanted);
      o.resolved = true;
      const before = Math.abs(shares[s]! * price);
      const rest =
        wanted - (Math.abs(wanted) < 1e-12 ? 0 : this.fill(o, wanted, at, o.kind === 'exit' ? 'margin_call' : 'order'));
      grossNow += Math.abs(shares[s]! * price) - before;
      const record = orders[o.record]!;
      if (Math.abs(wanted) < 1e-12)
        record.status = 'cancelled'; // the leverage limit left nothing to trade
      else if (Math.abs(rest) < 1e-9) record.status = 'filled';
      else if (account.unfilled === 'carry') {
        o.amount = rest;
        o.due = t + 1;
        still.push(o);
      } else this.closeRecord(o);
    }
    this.pending = still;
    return equityAtExec;
  }

  /**
   * The exits of each position's bracket on this bar: a time exit due now at the open (with
   * open execution), else a stop (the tightest of stop-loss, ATR and trailing) or take-profit on
   * the bar's range, else a time exit at the close. Returns the turnover base, valued now if no
   * order set it.
   */
  private protectiveExits(turnoverBase: number): number {
    const { data, shares, t } = this;
    for (let s = 0; s < data.symbols.length; s++) {
      const b = this.brackets[s];
      if (!b || t < b.activeFrom || shares[s] === 0) continue;
      const timeUp = t >= b.exitAt && Number.isFinite(this.execPrice(s));
      const atOpen = timeUp && this.useOpen ? { price: this.execPrice(s), reason: 'time_exit' as const } : undefined;
      const trigger =
        atOpen ??
        exitTrigger(b, Math.sign(shares[s]!), data, s, t, t >= b.openFrom) ??
        (timeUp ? { price: this.execPrice(s), reason: 'time_exit' as const } : undefined);
      if (!trigger) continue;
      if (Number.isNaN(turnoverBase)) turnoverBase = this.book.value((x) => this.execPrice(x));
      this.exitAt(s, trigger.price, trigger.reason);
    }
    return turnoverBase;
  }

  /** Closes a symbol's position now at `price` (an exit order of its own, filled as the market allows). */
  private exitAt(s: number, price: number, reason: FillReason): void {
    const { data, shares, orders, t } = this;
    const exit: PendingOrder = {
      record: orders.length,
      symbol: s,
      kind: 'exit',
      amount: -shares[s]!,
      resolved: true,
      due: t,
      decided: t,
      bracket: undefined,
    };
    orders.push({
      decided: data.dates[t]!,
      due: data.dates[t]!,
      symbol: data.symbols[s]!,
      kind: 'exit',
      requested: -shares[s]!,
      shares: -shares[s]!,
      filled: 0,
      status: 'open',
      reason,
    });
    const rest = -shares[s]! - this.fill(exit, -shares[s]!, price, reason);
    orders[exit.record]!.status = Math.abs(rest) < 1e-9 ? 'filled' : 'partial';
  }

  /** After the exits, a trailing stop's best close takes this bar's close: the next bar's level trails it. */
  private trailBest(): void {
    for (let s = 0; s < this.brackets.length; s++) {
      const b = this.brackets[s];
      const c = this.data.close[s]![this.t]!;
      if (!b || Number.isNaN(b.trail) || this.shares[s] === 0 || !Number.isFinite(c)) continue;
      b.best = this.shares[s]! > 0 ? Math.max(b.best, c) : Math.min(b.best, c);
    }
  }

  /** A symbol's ATR over `window` bars, computed once per symbol and window. */
  private atrOf(s: number, window: number): number[] {
    const key = `${s}:${window}`;
    let values = this.atrs.get(key);
    if (!values) this.atrs.set(key, (values = panelAtr(this.data, s, window)));
    return values;
  }

  /** The order's record, made when it is first due (`shares`: what it resolved to, its amount until then). */
  private recordOf(o: PendingOrder, shares = o.amount): OrderRecord {
    if (o.record < 0) {
      o.record = this.orders.length;
      this.orders.push({
        decided: this.data.dates[o.decided]!,
        due: this.data.dates[this.t]!,
        symbol: this.data.symbols[o.symbol]!,
        kind: o.kind,
        requested: o.amount,
        shares,
        filled: 0,
        status: 'open',
        reason: o.kind === 'exit' ? 'margin_call' : 'order',
      });
    }
    return this.orders[o.record]!;
  }

  /** A maintenance-margin breach: cancel everything and close every position on the next execution bar. */
  private closeOut(): void {
    this.sink.cancel();
    for (let s = 0; s < this.data.symbols.length; s++)
      if (this.shares[s] !== 0) this.placeOrder(s, 'exit', -this.shares[s]!);
  }

  /** Fills what the market allows of `wanted` shares; returns the shares filled. */
  private fill(order: PendingOrder, wanted: number, referencePrice: number, reason: FillReason): number {
    const { data, shares, t } = this;
    const s = order.symbol;
    // A limit fills at its price or better: the participation cap still bounds it, but no slippage takes it past the limit.
    const model = order.kind === 'limit' ? this.limitModel : this.model;
    const f = simulateFillAt(model, wanted, referencePrice, data.volume[s]![t]!);
    if (f.shares === 0) return 0;
    const before = shares[s]!;
    this.traded += this.book.applyFill(s, f);
    this.trades.push({
      order: order.record,
      decided: data.dates[order.decided]!,
      date: data.dates[t]!,
      symbol: data.symbols[s]!,
      ordered: wanted,
      shares: f.shares,
      price: f.price,
      fee: f.fee,
      reason,
    });
    this.orders[order.record]!.filled += f.shares;
    const opened = before === 0 || Math.sign(before) !== Math.sign(shares[s]!);
    if (Math.abs(shares[s]!) < 1e-9) this.brackets[s] = undefined;
    else if (opened && order.bracket) {
      const side = Math.sign(shares[s]!);
      const b = order.bracket;
      const atrNow = b.stop_atr === undefined ? Number.NaN : this.atrOf(s, b.atr_window ?? 14)[order.decided]!;
      const stops = [
        b.stop_loss === undefined ? Number.NaN : f.price * (1 - side * b.stop_loss),
        b.stop_atr === undefined ? Number.NaN : f.price - side * b.stop_atr * atrNow,
      ].filter((x) => Number.isFinite(x));
      this.brackets[s] = {
        stop: stops.length === 0 ? Number.NaN : side > 0 ? Math.max(...stops) : Math.min(...stops),
        take: b.take_profit === undefined ? Number.NaN : f.price * (1 + side * b.take_profit),
        trail: b.trailing_stop ?? Number.NaN,
        best: f.price,
        exitAt: b.max_bars === undefined ? Number.POSITIVE_INFINITY : t + b.max_bars,
        activeFrom: this.useOpen && reason === 'order' ? t : t + 1,
        openFrom: t + 1,
      };
    } else if (opened) this.brackets[s] = undefined; // a flip without a bracket leaves the old side's levels meaningless
    return f.shares;
  }

  private placeOrder(
    s: number,
    kind: PendingOrder['kind'],
    amount: number,
    bracket?: Bracket,
    price?: OrderPrice,
  ): void {
    const { data, t } = this;
    if (!Number.isFinite(amount))
      throw new Error(
        `order for ${data.symbols[s]} on ${data.dates[t]}: amount must be a finite number, got ${amount}`,
      );
    if (kind !== 'target_weight' && Math.abs(amount) < 1e-12) return;
    const due = t + this.delay;
    if (due >= data.dates.length) return; // decided on a close with no later bar to fill on
    const priced = price && kind === 'shares' ? (price.limit !== undefined ? 'limit' : 'stop') : undefined;
    this.pending.push({
      record: -1,
      symbol: s,
      kind: priced ?? kind,
      amount,
      resolved: kind !== 'target_weight',
      due,
      decided: t,
      bracket,
      ...(priced ? { level: price!.limit ?? price!.stop!, lastBar: due + (price!.good_for_bars ?? 1) - 1 } : {}),
    });
  }

  private closeRecord(o: PendingOrder): void {
    if (o.record >= 0) this.orders[o.record]!.status = this.orders[o.record]!.filled === 0 ? 'cancelled' : 'partial';
  }
}

/** Shrinks an order that would take gross exposure over `limit`; orders that reduce exposure (and exits) pass whole. */
function capToLeverage(
  wanted: number,
  held: number,
  price: number,
  grossNow: number,
  limit: number,
  isExit: boolean,
): number {
  if (isExit || !Number.isFinite(limit)) return wanted;
  const after = held + wanted;
  const others = grossNow - Math.abs(held * price);
  if (others + Math.abs(after * price) <= limit * (1 + 1e-12)) return wanted;
  const sameSide = Math.sign(after) === Math.sign(held);
  const allowed = Math.max((limit - others) / price, sameSide ? Math.min(Math.abs(held), Math.abs(after)) : 0, 0);
  return Math.sign(after) * Math.min(Math.abs(after), allowed) - held;
}

/**
 * Whether a bracket fires on bar t and at what price: at the open when the bar opened beyond
 * the level (a gap fills at the open, not at the level), else at the level when the range
 * reached it; the stop first when both are in range (the conservative reading of a bar).
 * Without high and low, the close stands in for the range.
 */
function exitTrigger(
  b: ActiveBracket,
  side: number,
  data: MarketData,
  s: number,
  t: number,
  openCounts: boolean,
): { price: number; reason: FillReason } | undefined {
  const open = data.open[s]![t]!;
  const close = data.close[s]![t]!;
  const low = data.low?.[s]![t] ?? Math.min(open, close);
  const high = data.high?.[s]![t] ?? Math.max(open, close);
  const adverse = side > 0 ? low : high;
  const favourable = side > 0 ? high : low;
  const beyond = (x: number, level: number, dir: number) => (dir > 0 ? x >= level : x <= level);
  // The trailing level (from the best close before this bar) binds when it is tighter than the fixed stop.
  const trailing = Number.isNaN(b.trail) ? Number.NaN : b.best * (1 - side * b.trail);
  const trails =
    !Number.isNaN(trailing) && (Number.isNaN(b.stop) || (side > 0 ? trailing > b.stop : trailing < b.stop));
  const stop = trails ? trailing : b.stop;
  const why: FillReason = trails ? 'trailing_stop' : 'stop_loss';
  if (!Number.isNaN(stop)) {
    if (openCounts && beyond(open, stop, -side)) return { price: open, reason: why };
    if (beyond(adverse, stop, -side)) return { price: stop, reason: why };
  }
  if (!Number.isNaN(b.take)) {
    if (openCounts && beyond(open, b.take, side)) return { price: open, reason: 'take_profit' };
    if (beyond(favourable, b.take, side)) return { price: b.take, reason: 'take_profit' };
  }
  return undefined;
}

/** A strategy that places the target weights of weights[s][t] on bar t's close (NaN: no order), as the vectorized engine reads them. */
export function targetWeightStrategy(
  weights: readonly Float64Array[],
  bracket?: Bracket,
  /** notional: weights[s][t] is an amount of currency, sized in shares at the decision's close. */
  unit: 'weight' | 'notional' = 'weight',
): EventStrategy {
  return {
    onBar(bar, orders) {
      for (let s = 0; s < weights.length; s++) {
        const w = weights[s]![bar.t]!;
        if (Number.isNaN(w)) continue;
        if (unit === 'weight') orders.targetWeight(s, w, bracket);
        else {
          const price = bar.close(s);
          if (!(price > 0)) continue;
          orders.cancel(s);
          const delta = w / price - bar.position(s);
          if (delta !== 0) orders.shares(s, delta, bracket);
        }
      }
    },
  };
}
