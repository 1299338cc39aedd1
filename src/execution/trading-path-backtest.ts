import type { BacktestResult, OrderRecord, OrderStatus, Trade } from '../backtest/backtest-result.js';
import type { MarketData } from '../backtest/market-data.js';
import type { CostModel } from '../costs/cost-model.js';
import type { Sizing } from '../strategy/sizing.js';
import type { OrderExits } from '../strategy/strategy-context.js';
import type { LoadedStrategy } from '../strategy/loaded-strategy.js';
import type { SessionRecord } from './replay-session.js';
import type { RiskConfig } from './risk-config.js';
import { replayStrategy } from './strategy-session.js';

/**
 * A backtest on the trading path (engine: trading_path): the strategy's intents go through the
 * risk engine, the order router and the simulated exchange exactly as in a shadow replay or a
 * paper session, so the three agree to the fill. A strategy that fails fails the backtest, with
 * its name and the bar; a paper session halts instead. Returns the session and its result in
 * the backtest engines' form, for the same metrics, tables and tearsheet.
 */
export async function backtestOnTradingPath(o: {
  /** The bars up to the backtest's end, with the strategy's warm-up before `windowStart`. */
  history: MarketData;
  windowStart: string;
  strategy: LoadedStrategy;
  costs: CostModel;
  initialCash: number;
  maxLeverage: number;
  sizing?: Sizing;
  exits?: OrderExits;
  risk: RiskConfig;
  runId: string;
}): Promise<{ session: SessionRecord; result: BacktestResult }> {
  const { session, window } = await replayStrategy({ ...o, onStrategyError: 'throw' });
  return { session, result: sessionAsBacktest(session, window, o.costs) };
}

/** A session's record in the backtest engines' form: equity, positions and exposure per bar, orders, fills, costs. */
export function sessionAsBacktest(session: SessionRecord, data: MarketData, costs: CostModel): BacktestResult {
  const T = data.dates.length;
  const S = data.symbols.length;
  const tOf = new Map(data.dates.map((d, t) => [d, t]));
  const sOf = new Map(data.symbols.map((s, i) => [s, i]));
  const equity = Float64Array.from(session.equity, (e) => e.equity);
  const positions = Array.from({ length: S }, () => new Float64Array(T));
  const traded = new Float64Array(T);
  for (const f of session.fills) {
    const t = tOf.get(f.date)!;
    positions[sOf.get(f.symbol)!]![t]! += f.shares;
    traded[t]! += Math.abs(f.shares * f.price);
  }
  for (const p of positions) for (let t = 1; t < T; t++) p[t]! += p[t - 1]!;

  const turnover = new Float64Array(T);
  const grossExposure = new Float64Array(T);
  const netExposure = new Float64Array(T);
  const lastClose = new Float64Array(S).fill(Number.NaN);
  for (let t = 0; t < T; t++) {
    // Traded value over the equity it was traded from (the close before the fills).
    if (t > 0 && traded[t]! > 0) turnover[t] = traded[t]! / equity[t - 1]!;
    let gross = 0;
    let net = 0;
    for (let s = 0; s < S; s++) {
      const c = data.close[s]![t]!;
      if (Number.isFinite(c)) lastClose[s] = c;
      const v = positions[s]![t]! === 0 ? 0 : positions[s]![t]! * lastClose[s]!;
      gross += Math.abs(v);
      net += v;
    }
    grossExposure[t] = gross / equity[t]!;
    netExposure[t] = net / equity[t]!;
  }

  const filledBy = new Map<string, number>();
  for (const f of session.fills) filledBy.set(f.client_order_id, (filledBy.get(f.client_order_id) ?? 0) + f.shares);
  const orderIndex = new Map<string, number>();
  const orders: OrderRecord[] = session.orders.map((r, i) => {
    orderIndex.set(r.client_order_id, i);
    const signed = r.side === 'buy' ? r.qty : -r.qty;
    const filled = filledBy.get(r.client_order_id) ?? 0;
    const due = data.dates[tOf.get(r.decided_at)! + 1] ?? r.decided_at;
    const status: OrderStatus = filled === signed ? 'filled' : filled === 0 ? 'cancelled' : 'partial';
    return {
      decided: r.decided_at,
      due,
      symbol: r.symbol,
      // A protective exit (protective-exits.ts names its intents <date>:<symbol>:exit) is an exit, whatever its order type.
      kind: r.intent_id.endsWith(':exit') ? 'exit' : (r.type ?? 'shares'),
      requested: signed,
      shares: signed,
      filled,
      status,
      reason: 'order',
    };
  });

  let fees = 0;
  let slippage = 0;
  const trades: Trade[] = session.fills.map((f) => {
    const order = orderIndex.get(f.client_order_id)!;
    const t = tOf.get(f.date)!;
    const s = sOf.get(f.symbol)!;
    const reference = costs.execution.price === 'open' ? data.open[s]![t]! : data.close[s]![t]!;
    fees += f.fee;
    slippage += Math.abs(f.shares) * Math.abs(f.price - reference);
    return {
      order,
      decided: orders[order]!.decided,
      date: f.date,
      symbol: f.symbol,
      ordered: orders[order]!.shares,
      shares: f.shares,
      price: f.price,
      fee: f.fee,
      reason: 'order',
    };
  });
  return {
    equity,
    positions,
    turnover,
    grossExposure,
    netExposure,
    orders,
    trades,
    costs: { fees, slippage, borrow: 0 },
  };
}
