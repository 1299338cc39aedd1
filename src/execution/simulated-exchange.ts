import type { CostModel } from '../costs/cost-model.js';
import {
  BrokerError,
  type Broker,
  type BrokerOrderRequest,
  type BrokerOrderState,
  type BrokerPosition,
} from './broker.js';
import { SimulatedBroker } from './simulated-broker.js';

/** The bars a simulated exchange fills against: [symbol][t], NaN (or tradable 0) where a symbol has no bar. */
export interface ExchangeBars {
  dates: readonly string[];
  symbols: readonly string[];
  open: readonly Float64Array[];
  close: readonly Float64Array[];
  volume: readonly Float64Array[];
  tradable?: readonly Uint8Array[];
}

export interface SimulatedFill {
  client_order_id: string;
  date: string;
  symbol: string;
  shares: number;
  price: number;
  fee: number;
}

/**
 * A broker over historical bars, behind the same interface as Alpaca: orders are accepted as
 * `new` and fill when the exchange advances to the next bar, through the shared cost model
 * (SimulatedBroker), buys limited by the cash; a repeated client order id is refused as Alpaca
 * refuses it (422). Its own cash and positions are what reconciliation compares the ledger with.
 */
export class SimulatedExchange implements Broker {
  private readonly fills: SimulatedBroker;
  private readonly orders = new Map<string, BrokerOrderState>();
  private readonly pending: string[] = [];
  private readonly held = new Map<string, number>();
  private cash: number;
  private t = 0;
  private readonly index: Map<string, number>;
  readonly fillLog: SimulatedFill[] = [];

  constructor(
    private readonly bars: ExchangeBars,
    costs: CostModel,
    initialCash: number,
  ) {
    this.cash = initialCash;
    this.fills = new SimulatedBroker(costs);
    this.index = new Map(bars.symbols.map((s, i) => [s, i]));
  }

  get bar(): number {
    return this.t;
  }

  get accountCash(): number {
    return this.cash;
  }

  async submitOrder(o: BrokerOrderRequest): Promise<BrokerOrderState> {
    if (this.orders.has(o.client_order_id))
      throw new BrokerError(`client_order_id ${o.client_order_id} must be unique`, 'duplicate');
    if (!this.index.has(o.symbol)) throw new BrokerError(`asset ${o.symbol} not found`, 'rejected');
    const state: BrokerOrderState = {
      ...o,
      id: `sim-${this.orders.size}`,
      status: 'new',
      filled_qty: 0,
      filled_avg_price: null,
    };
    this.orders.set(o.client_order_id, state);
    this.pending.push(o.client_order_id);
    return { ...state };
  }

  async getOrderByClientId(clientOrderId: string): Promise<BrokerOrderState | null> {
    const o = this.orders.get(clientOrderId);
    return o ? { ...o } : null;
  }

  async cancelAllOrders(): Promise<void> {
    for (const id of this.pending.splice(0)) this.orders.get(id)!.status = 'canceled';
  }

  async getPositions(): Promise<BrokerPosition[]> {
    return [...this.held]
      .filter(([, q]) => q !== 0)
      .map(([symbol, qty]) => ({ symbol, qty }))
      .sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
  }

  /** A position that appeared at the broker outside this session (a manual trade): what reconciliation must catch. */
  adoptPosition(symbol: string, qty: number): void {
    this.held.set(symbol, (this.held.get(symbol) ?? 0) + qty);
  }

  /** Moves to the next bar and fills the orders waiting for it, in the order they came. Returns the fills. */
  advance(): SimulatedFill[] {
    this.t += 1;
    const e = this.t;
    const date = this.bars.dates[e]!;
    const made: SimulatedFill[] = [];
    for (const id of this.pending.splice(0)) {
      const order = this.orders.get(id)!;
      const s = this.index.get(order.symbol)!;
      const tradable = !this.bars.tradable || this.bars.tradable[s]![e] !== 0;
      const bar = {
        date,
        open: tradable ? this.bars.open[s]![e]! : Number.NaN,
        close: tradable ? this.bars.close[s]![e]! : Number.NaN,
        volume: this.bars.volume[s]![e]!,
      };
      const x = this.fills.execute(
        { client_order_id: id, symbol: order.symbol, side: order.side, quantity: order.qty },
        bar,
        this.cash,
      );
      if (x.shares === 0) {
        order.status = 'rejected';
        continue;
      }
      this.cash -= x.shares * x.price + x.fee;
      this.held.set(order.symbol, (this.held.get(order.symbol) ?? 0) + x.shares);
      order.filled_qty = Math.abs(x.shares);
      order.filled_avg_price = x.price;
      // What the cap or the cash left unfilled is cancelled, as a day order's rest would be.
      order.status = order.filled_qty === order.qty ? 'filled' : 'canceled';
      const fill = { client_order_id: id, date, symbol: order.symbol, shares: x.shares, price: x.price, fee: x.fee };
      made.push(fill);
      this.fillLog.push(fill);
    }
    return made;
  }
}
