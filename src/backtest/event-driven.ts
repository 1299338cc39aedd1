import { simulateFillAt, type CostModel } from '../costs/cost-model.js';
import type { AccountConfig, Bracket } from './account-config.js';
import type { BacktestResult, FillReason, OrderRecord, Trade } from './backtest-result.js';
import type { MarketData } from './market-data.js';
import { PortfolioBook } from './portfolio-book.js';
import type { BarSource, OrderTaker } from '../strategy/strategy-runner.js';

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
  kind: 'target_weight' | 'shares' | 'exit';
  /** For target_weight before its first fill: the weight; afterwards (and for the rest): shares still wanted. */
  amount: number;
  resolved: boolean;
  due: number;
  decided: number;
  bracket: Bracket | undefined;
}

interface ActiveBracket {
  stop: number;
  take: number;
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
    this.sink = {
      targetWeight: (s, weight, bracket) => this.placeOrder(s, 'target_weight', weight, bracket),
      shares: (s, n, bracket) => this.placeOrder(s, 'shares', n, bracket),
      cancel: (s) => {
        this.pending = this.pending.filter((o) => {
          const keep = s !== undefined && o.symbol !== s;
          if (!keep) this.closeRecord(o);
          return keep;
        });
      },
    };
    // Getters of an object literal have their own `this`: they read the simulation through these.
    const now = () => this.t;
    const book = () => this.book;
    const shares = this.shares;
    const pending = () => this.pending;
    const trades = this.trades;
    const firstFill = () => this.firstFillOfBar;
    const ago = (k: number | undefined) => {
      const back = k ?? 0;
      if (!(back >= 0))
        throw new Error(
          `a strategy on ${data.dates[now()]} asked for a bar ${-back} ahead: strategies see only bars at or before their decision`,
        );
      return now() - back;
    };
    this.view = {
      get t() {
        return now();
      },
      get date() {
        return data.dates[now()]!;
      },
      symbolCount: data.symbols.length,
      close: (s, k) => data.close[s]![ago(k)] ?? Number.NaN,
      open: (s, k) => data.open[s]![ago(k)] ?? Number.NaN,
      volume: (s, k) => data.volume[s]![ago(k)] ?? Number.NaN,
      high: (s, k) => {
        const t = ago(k);
        return data.high?.[s]![t] ?? Math.max(data.open[s]![t] ?? Number.NaN, data.close[s]![t] ?? Number.NaN);
      },
      low: (s, k) => {
        const t = ago(k);
        return data.low?.[s]![t] ?? Math.min(data.open[s]![t] ?? Number.NaN, data.close[s]![t] ?? Number.NaN);
      },
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
      if (o.record < 0) {
        o.record = orders.length;
        orders.push({
          decided: data.dates[o.decided]!,
          due: data.dates[t]!,
          symbol: data.symbols[s]!,
          kind: o.kind,
          requested: o.amount,
          shares: wanted,
          filled: 0,
          status: 'open',
          reason: o.kind === 'exit' ? 'margin_call' : 'order',
        });
      }
      o.resolved = true;
      const before = Math.abs(shares[s]! * price);
      const rest =
        wanted -
        (Math.abs(wanted) < 1e-12 ? 0 : this.fill(o, wanted, price, o.kind === 'exit' ? 'margin_call' : 'order'));
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

  /** Stop-loss and take-profit exits on the bar's range. Returns the turnover base, valued now if no order set it. */
  private protectiveExits(turnoverBase: number): number {
    const { data, book, shares, orders, t } = this;
    for (let s = 0; s < data.symbols.length; s++) {
      const b = this.brackets[s];
      if (!b || t < b.activeFrom || shares[s] === 0) continue;
      const trigger = exitTrigger(b, Math.sign(shares[s]!), data, s, t, t >= b.openFrom);
      if (!trigger) continue;
      if (Number.isNaN(turnoverBase)) turnoverBase = book.value((x) => this.execPrice(x));
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
        reason: trigger.reason,
      });
      const rest = -shares[s]! - this.fill(exit, -shares[s]!, trigger.price, trigger.reason);
      orders[exit.record]!.status = Math.abs(rest) < 1e-9 ? 'filled' : 'partial';
    }
    return turnoverBase;
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
    const f = simulateFillAt(this.model, wanted, referencePrice, data.volume[s]![t]!);
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
      const { stop_loss: sl, take_profit: tp } = order.bracket;
      this.brackets[s] = {
        stop: sl === undefined ? Number.NaN : f.price * (1 - side * sl),
        take: tp === undefined ? Number.NaN : f.price * (1 + side * tp),
        activeFrom: this.useOpen && reason === 'order' ? t : t + 1,
        openFrom: t + 1,
      };
    } else if (opened) this.brackets[s] = undefined; // a flip without a bracket leaves the old side's levels meaningless
    return f.shares;
  }

  private placeOrder(s: number, kind: PendingOrder['kind'], amount: number, bracket?: Bracket): void {
    const { data, t } = this;
    if (!Number.isFinite(amount))
      throw new Error(
        `order for ${data.symbols[s]} on ${data.dates[t]}: amount must be a finite number, got ${amount}`,
      );
    if (kind !== 'target_weight' && Math.abs(amount) < 1e-12) return;
    const due = t + this.delay;
    if (due >= data.dates.length) return; // decided on a close with no later bar to fill on
    this.pending.push({
      record: -1,
      symbol: s,
      kind,
      amount,
      resolved: kind !== 'target_weight',
      due,
      decided: t,
      bracket,
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
  if (!Number.isNaN(b.stop)) {
    if (openCounts && beyond(open, b.stop, -side)) return { price: open, reason: 'stop_loss' };
    if (beyond(adverse, b.stop, -side)) return { price: b.stop, reason: 'stop_loss' };
  }
  if (!Number.isNaN(b.take)) {
    if (openCounts && beyond(open, b.take, side)) return { price: open, reason: 'take_profit' };
    if (beyond(favourable, b.take, side)) return { price: b.take, reason: 'take_profit' };
  }
  return undefined;
}

/** A strategy that places the target weights of weights[s][t] on bar t's close (NaN: no order), as the vectorized engine reads them. */
export function targetWeightStrategy(weights: readonly Float64Array[], bracket?: Bracket): EventStrategy {
  return {
    onBar(bar, orders) {
      for (let s = 0; s < weights.length; s++) {
        const w = weights[s]![bar.t]!;
        if (!Number.isNaN(w)) orders.targetWeight(s, w, bracket);
      }
    },
  };
}
