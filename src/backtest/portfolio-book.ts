import { borrowCost, type CostModel, type Fill } from '../costs/cost-model.js';
import type { BacktestResult } from './backtest-result.js';
import { calendarDaysBetween, type MarketData } from './market-data.js';

/**
 * The account both engines keep: cash, shares, each symbol's last close, and the per-bar
 * series of a result. One implementation so the vectorized and event-driven engines do the
 * same arithmetic in the same order, which is what makes their parity exact.
 */
export class PortfolioBook {
  cash: number;
  readonly shares: Float64Array;
  /** The last close seen per symbol: what a position is valued at on a day its symbol did not trade. */
  readonly lastPrice: Float64Array;
  readonly equity: Float64Array;
  readonly turnover: Float64Array;
  readonly gross: Float64Array;
  readonly net: Float64Array;
  readonly positions: Float64Array[];
  readonly costs = { fees: 0, slippage: 0, borrow: 0 };

  constructor(
    private readonly data: MarketData,
    initialCash: number,
  ) {
    const T = data.dates.length;
    const S = data.symbols.length;
    this.cash = initialCash;
    this.shares = new Float64Array(S);
    this.lastPrice = new Float64Array(S).fill(Number.NaN);
    this.equity = new Float64Array(T);
    this.turnover = new Float64Array(T);
    this.gross = new Float64Array(T);
    this.net = new Float64Array(T);
    this.positions = Array.from({ length: S }, () => new Float64Array(T));
  }

  /** Cash plus positions at `price(s)`, or at the last close where that is NaN. */
  value(price: (s: number) => number): number {
    let v = this.cash;
    for (let s = 0; s < this.shares.length; s++)
      if (this.shares[s] !== 0) v += this.shares[s]! * this.priceOr(price(s), s);
    return v;
  }

  /** Sum of |position value| at `price(s)`, or at the last close where that is NaN. */
  grossValue(price: (s: number) => number): number {
    let g = 0;
    for (let s = 0; s < this.shares.length; s++)
      if (this.shares[s] !== 0) g += Math.abs(this.shares[s]! * this.priceOr(price(s), s));
    return g;
  }

  /** Borrow on the shorts carried overnight into bar t, by calendar days since the last session. */
  accrueBorrow(model: CostModel, t: number): void {
    if (t === 0) return;
    const days = calendarDaysBetween(this.data.dates[t - 1]!, this.data.dates[t]!);
    for (let s = 0; s < this.shares.length; s++) {
      if (this.shares[s]! < 0) {
        const c = borrowCost(model, this.shares[s]! * this.lastPrice[s]!, days);
        this.cash -= c;
        this.costs.borrow += c;
      }
    }
  }

  /** Books a fill; returns the traded value. */
  applyFill(s: number, fill: Fill): number {
    this.shares[s]! += fill.shares;
    this.cash -= fill.shares * fill.price + fill.fee;
    this.costs.fees += fill.fee;
    this.costs.slippage += fill.slippageCost;
    return Math.abs(fill.shares * fill.price);
  }

  /** Marks bar t's close: equity, positions, gross and net exposure. Returns the gross position value. */
  markClose(t: number): number {
    const S = this.shares.length;
    for (let s = 0; s < S; s++) if (!Number.isNaN(this.data.close[s]![t]!)) this.lastPrice[s] = this.data.close[s]![t]!;
    const eq = this.value(() => Number.NaN);
    this.equity[t] = eq;
    let g = 0;
    let n = 0;
    for (let s = 0; s < S; s++) {
      this.positions[s]![t] = this.shares[s]!;
      if (this.shares[s] === 0) continue;
      const v = this.shares[s]! * this.lastPrice[s]!;
      g += Math.abs(v);
      n += v;
    }
    this.gross[t] = g / eq;
    this.net[t] = n / eq;
    return g;
  }

  result(orders: BacktestResult['orders'], trades: BacktestResult['trades']): BacktestResult {
    return {
      equity: this.equity,
      positions: this.positions,
      turnover: this.turnover,
      grossExposure: this.gross,
      netExposure: this.net,
      orders,
      trades,
      costs: this.costs,
    };
  }

  private priceOr(p: number, s: number): number {
    return Number.isNaN(p) ? this.lastPrice[s]! : p;
  }
}
