import type { BacktestResult, OrderRecord, Trade } from '../backtest/backtest-result.js';
import type { EnvMarket, StepLog } from './trading-env.js';

/**
 * A policy's episode as a backtest result (equity, positions, fills, turnover, exposure), so a
 * trained policy is scored by the same metrics and trade statistics as every backtest.
 * `values[t]` is the portfolio value at bar t's close; step k moved the episode from bar k to k + 1.
 */
export function episodeAsBacktest(market: EnvMarket, values: Float64Array, log: readonly StepLog[]): BacktestResult {
  const T = market.dates.length;
  const D = market.symbols.length;
  if (values.length !== T || log.length !== T - 1)
    throw new Error(
      `an episode over ${T} bars has ${T} values and ${T - 1} steps, got ${values.length} and ${log.length}`,
    );
  const positions = Array.from({ length: D }, () => new Float64Array(T));
  const turnover = new Float64Array(T);
  const gross = new Float64Array(T);
  const net = new Float64Array(T);
  const orders: OrderRecord[] = [];
  const trades: Trade[] = [];
  const costs = { fees: 0, slippage: 0, borrow: 0 };
  log.forEach((step, k) => {
    const t = k + 1;
    let traded = 0;
    let fees = 0;
    for (const f of step.fills) {
      traded += Math.abs(f.shares * f.price);
      fees += f.fee;
      const symbol = market.symbols[f.asset]!;
      trades.push({
        order: orders.length,
        decided: step.date,
        date: step.executed,
        symbol,
        ordered: f.shares,
        shares: f.shares,
        price: f.price,
        fee: f.fee,
        reason: 'order',
      });
      orders.push({
        decided: step.date,
        due: step.executed,
        symbol,
        kind: 'shares',
        requested: f.shares,
        shares: f.shares,
        filled: f.shares,
        status: 'filled',
        reason: 'order',
      });
    }
    costs.fees += fees;
    costs.slippage += step.costs - fees;
    turnover[t] = values[k]! > 0 ? traded / values[k]! : 0;
    let value = 0;
    for (let i = 0; i < D; i++) {
      positions[i]![t] = step.holdings[i]!;
      value += step.holdings[i]! * market.close[i]![t]!;
    }
    gross[t] = value / values[t]!; // long only: gross and net exposure agree
    net[t] = value / values[t]!;
  });
  return { equity: values, positions, turnover, grossExposure: gross, netExposure: net, orders, trades, costs };
}
