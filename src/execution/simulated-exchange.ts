import { priceOrderTrigger, type TriggerBar } from '../backtest/price-order-trigger.js';
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
  /** The bars' ranges, where they have them: a limit or stop order's trigger reads them. */
  high?: readonly Float64Array[] | undefined;
  low?: readonly Float64Array[] | undefined;
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
      // A limit or stop day order fills only if this bar trades at or through its price; else it expires unfilled.
      let at: { price: number; limit: boolean } | undefined;
      if (order.type === 'limit' || order.type === 'stop') {
        at = priceOrderFill(order, { ...bar, high: this.bars.high?.[s]![e], low: this.bars.low?.[s]![e] });
        if (at === undefined) {
          order.status = 'canceled';
          continue;
        }
      }
      // A protective exit never takes more than is held on its side (an earlier fill may have reduced it).
      const held = this.held.get(order.symbol) ?? 0;
      const quantity = order.reduce_only
        ? Math.min(order.qty, (order.side === 'sell') === held > 0 ? Math.abs(held) : 0)
        : order.qty;
      if (quantity === 0) {
        order.status = 'canceled';
        continue;
      }
      const x = this.fills.execute(
        { client_order_id: id, symbol: order.symbol, side: order.side, quantity },
        bar,
        this.cash,
        at,
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
      order.status = order.filled_qty === quantity ? 'filled' : 'canceled';
      const fill = { client_order_id: id, date, symbol: order.symbol, shares: x.shares, price: x.price, fee: x.fee };
      made.push(fill);
      this.fillLog.push(fill);
    }
    return made;
  }
}

/**
 * Where a priced day order fills on a bar, if it does (priceOrderTrigger's rule). An OCO's stop
 * leg is looked at first, so a bar that reaches both its stop and its take-profit stops out,
 * as the event-driven engine reads such a bar; the leg that fills cancels the other.
 */
function priceOrderFill(order: BrokerOrderRequest, bar: TriggerBar): { price: number; limit: boolean } | undefined {
  const side = order.side === 'buy' ? 1 : -1;
  if (order.order_class === 'oco') {
    const stop = priceOrderTrigger('stop', side, order.stop_price!, bar);
    if (stop !== undefined) return { price: stop, limit: false };
    const take = priceOrderTrigger('limit', side, order.limit_price!, bar);
    return take === undefined ? undefined : { price: take, limit: true };
  }
  const kind = order.type === 'limit' ? 'limit' : 'stop';
  const price = priceOrderTrigger(kind, side, kind === 'limit' ? order.limit_price! : order.stop_price!, bar);
  return price === undefined ? undefined : { price, limit: kind === 'limit' };
}
