/** Why a fill happened: an order the strategy placed, or an exit the engine took for it. */
export type FillReason = 'order' | 'stop_loss' | 'trailing_stop' | 'take_profit' | 'time_exit' | 'margin_call';

/** One fill: shares are signed (buy > 0), price includes slippage, fee is what the schedule charged. */
export interface Trade {
  /** The order this fill belongs to (its index in `orders`). */
  order: number;
  /** The session whose close the decision was made on. */
  decided: string;
  /** The session the fill happened in. */
  date: string;
  symbol: string;
  /** Shares the order still wanted when this fill happened. */
  ordered: number;
  shares: number;
  price: number;
  fee: number;
  reason: FillReason;
}

export type OrderStatus = 'filled' | 'partial' | 'cancelled' | 'open';

/** An order as placed and as it ended: `shares` is the signed quantity it resolved to when it was first due. */
export interface OrderRecord {
  decided: string;
  due: string;
  symbol: string;
  /** limit and stop: share orders that fill only when the bar trades at or through their price. */
  kind: 'target_weight' | 'shares' | 'limit' | 'stop' | 'exit';
  /** The requested weight (target_weight) or shares (shares, limit, stop, exit). */
  requested: number;
  shares: number;
  filled: number;
  status: OrderStatus;
  reason: FillReason;
}

export interface BacktestResult {
  /** Portfolio value at each close. */
  equity: Float64Array;
  /** Shares held at each close, per symbol. */
  positions: Float64Array[];
  /** Traded value over the equity at the execution price, per bar. */
  turnover: Float64Array;
  /** Sum of |position value| and sum of position value, over equity, at each close. */
  grossExposure: Float64Array;
  netExposure: Float64Array;
  orders: OrderRecord[];
  trades: Trade[];
  costs: { fees: number; slippage: number; borrow: number };
}
