import { executionBarIndex, simulateFill, type CostModel } from '../costs/cost-model.js';
import type { BacktestResult, OrderRecord, Trade } from './backtest-result.js';
import type { MarketData } from './market-data.js';
import { PortfolioBook } from './portfolio-book.js';

export type { MarketData } from './market-data.js';
export type { BacktestResult, Trade } from './backtest-result.js';

/**
 * The vectorized engine: a portfolio that rebalances to target weights. weights[s][t] is
 * decided on bar t's close (NaN: keep the position) and, by the cost model, executes on bar
 * t + delay at its open (or close): never on bar t, so a weight can use everything known at
 * t's close and nothing it could profit from unfairly. Targets are sized on the equity valued
 * at the execution price; what the participation cap leaves unfilled is dropped (the next
 * bar's target asks again). Cash earns nothing; short positions pay borrow by calendar days.
 */
export function backtestTargetWeights(
  data: MarketData,
  weights: readonly Float64Array[],
  model: CostModel,
  initialCash: number,
  /** weight: weights[s][t] is a share of equity; notional: an amount of currency (fixed-notional sizing). */
  unit: 'weight' | 'notional' = 'weight',
): BacktestResult {
  const T = data.dates.length;
  const S = data.symbols.length;
  if (weights.length !== S || weights.some((w) => w.length !== T))
    throw new Error(`target weights must be ${S} symbols x ${T} bars`);
  const book = new PortfolioBook(data, initialCash);
  const trades: Trade[] = [];
  const orders: OrderRecord[] = [];
  const delay = executionBarIndex(model, 0);
  const useOpen = model.execution.price === 'open';
  for (let t = 0; t < T; t++) {
    book.accrueBorrow(model, t);
    const decided = t - delay;
    if (decided >= 0) {
      const execPrice = (s: number) => (useOpen ? data.open[s]![t]! : data.close[s]![t]!);
      const equityAtExec = book.value(execPrice);
      let traded = 0;
      for (let s = 0; s < S; s++) {
        const w = weights[s]![decided]!;
        const price = execPrice(s);
        if (Number.isNaN(w) || Number.isNaN(price)) continue;
        const ordered = (unit === 'notional' ? w : w * equityAtExec) / price - book.shares[s]!;
        if (Math.abs(ordered) < 1e-12) continue;
        const fill = simulateFill(model, ordered, {
          open: data.open[s]![t]!,
          close: data.close[s]![t]!,
          volume: data.volume[s]![t]!,
        });
        const order = orders.length;
        orders.push({
          decided: data.dates[decided]!,
          due: data.dates[t]!,
          symbol: data.symbols[s]!,
          kind: 'target_weight',
          requested: w,
          shares: ordered,
          filled: fill.shares,
          status: fill.shares === 0 ? 'cancelled' : fill.shares === ordered ? 'filled' : 'partial',
          reason: 'order',
        });
        if (fill.shares === 0) continue;
        traded += book.applyFill(s, fill);
        trades.push({
          order,
          decided: data.dates[decided]!,
          date: data.dates[t]!,
          symbol: data.symbols[s]!,
          ordered,
          shares: fill.shares,
          price: fill.price,
          fee: fill.fee,
          reason: 'order',
        });
      }
      book.turnover[t] = equityAtExec > 0 ? traded / equityAtExec : 0;
    }
    book.markClose(t);
  }
  return book.result(orders, trades);
}

/** Many strategies (weight sets) over one data set and cost model: a parameter sweep. */
export function sweepTargetWeights(
  data: MarketData,
  strategies: readonly (readonly Float64Array[])[],
  model: CostModel,
  initialCash: number,
): BacktestResult[] {
  return strategies.map((w) => backtestTargetWeights(data, w, model, initialCash));
}
