import { affordableShares, limitFillModel, simulateFillAt, type CostModel } from '../costs/cost-model.js';

export interface BrokerOrder {
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: number;
}

export interface BrokerBar {
  date: string;
  open: number;
  close: number;
  volume: number;
}

export interface BrokerExecution {
  client_order_id: string;
  status: 'filled' | 'partially_filled' | 'rejected';
  /** Signed shares filled (sells negative). */
  shares: number;
  price: number;
  fee: number;
  reason?: string;
}

/**
 * A broker without a broker: fills orders on their execution bar through the shared cost model
 * (price, slippage, participation cap, fees) and refuses buys the cash cannot pay for, as a
 * cash account would. The default broker for paper runs and the only one of shadow replays.
 */
export class SimulatedBroker {
  private readonly seen = new Set<string>();
  /** The cost model of limit fills: fees and the participation cap, no slippage past the limit. */
  private readonly limitCosts: CostModel;

  constructor(private readonly costs: CostModel) {
    this.limitCosts = limitFillModel(costs);
  }

  /**
   * `at`: a limit or stop order's fill price on this bar (priceOrderTrigger) instead of the
   * execution price; a limit's fill takes no slippage past its limit (fees and the participation
   * cap still apply).
   */
  execute(order: BrokerOrder, bar: BrokerBar, cash: number, at?: { price: number; limit: boolean }): BrokerExecution {
    const base = { client_order_id: order.client_order_id, shares: 0, price: 0, fee: 0 };
    if (this.seen.has(order.client_order_id))
      return { ...base, status: 'rejected', reason: `duplicate client_order_id ${order.client_order_id}` };
    this.seen.add(order.client_order_id);
    const reference = at?.price ?? (this.costs.execution.price === 'open' ? bar.open : bar.close);
    const costs = at?.limit ? this.limitCosts : this.costs;
    if (!(reference > 0))
      return {
        ...base,
        status: 'rejected',
        reason: `${order.symbol} has no ${this.costs.execution.price} price on ${bar.date}`,
      };
    let wanted = order.quantity;
    if (order.side === 'buy') {
      wanted = affordableShares(costs, order.quantity, reference, bar.volume, cash);
      if (wanted === 0) return { ...base, status: 'rejected', reason: 'insufficient buying power' };
    }
    const fill = simulateFillAt(costs, order.side === 'buy' ? wanted : -wanted, reference, bar.volume);
    if (fill.shares === 0) return { ...base, status: 'rejected', reason: 'no volume to fill against' };
    return {
      ...base,
      status: Math.abs(fill.shares) === order.quantity ? 'filled' : 'partially_filled',
      shares: fill.shares,
      price: fill.price,
      fee: fill.fee,
      ...(Math.abs(fill.shares) < order.quantity
        ? { reason: wanted < order.quantity ? 'reduced to the buying power' : 'participation cap' }
        : {}),
    };
  }
}
