import { borrowCost, executionBarIndex, simulateFill, type CostModel } from '../costs/cost-model.js';

/**
 * Bars of several symbols on one common session axis: `open[s][t]` is symbol s on dates[t].
 * A missing bar is NaN: a symbol cannot trade or be valued that day (its last close is kept).
 */
export interface MarketData {
  dates: readonly string[];
  symbols: readonly string[];
  open: readonly Float64Array[];
  close: readonly Float64Array[];
  volume: readonly Float64Array[];
}

export interface Trade {
  decided: string;
  date: string;
  symbol: string;
  ordered: number;
  shares: number;
  price: number;
  fee: number;
}

export interface BacktestResult {
  /** Portfolio value at each close. */
  equity: Float64Array;
  /** Shares held at each close, per symbol. */
  positions: Float64Array[];
  /** Traded value over the day's opening equity. */
  turnover: Float64Array;
  /** Sum of |position value| and sum of position value, over equity, at each close. */
  grossExposure: Float64Array;
  netExposure: Float64Array;
  trades: Trade[];
  costs: { fees: number; slippage: number; borrow: number };
}

const DAY_MS = 86_400_000;

/**
 * Simulates a portfolio that rebalances to target weights. weights[s][t] is decided on bar t's
 * close (NaN: keep the position) and, by the cost model, executes on bar t + delay at its open
 * (or close): never on bar t, so a weight can use everything known at t's close and nothing
 * it could profit from unfairly. Targets are sized on the equity valued at the execution price.
 * Cash earns nothing; short positions pay borrow by calendar days.
 */
export function backtestTargetWeights(data: MarketData, weights: readonly Float64Array[], model: CostModel, initialCash: number): BacktestResult {
  const T = data.dates.length;
  const S = data.symbols.length;
  if (weights.length !== S || weights.some((w) => w.length !== T)) throw new Error(`target weights must be ${S} symbols x ${T} bars`);
  const equity = new Float64Array(T);
  const turnover = new Float64Array(T);
  const gross = new Float64Array(T);
  const net = new Float64Array(T);
  const positions = Array.from({ length: S }, () => new Float64Array(T));
  const shares = new Float64Array(S);
  const lastPrice = new Float64Array(S).fill(Number.NaN);
  const trades: Trade[] = [];
  const costs = { fees: 0, slippage: 0, borrow: 0 };
  let cash = initialCash;
  const delay = executionBarIndex(model, 0);
  const useOpen = model.execution.price === 'open';
  const value = (price: (s: number) => number) => {
    let v = cash;
    for (let s = 0; s < S; s++) if (shares[s] !== 0) v += shares[s]! * (Number.isNaN(price(s)) ? lastPrice[s]! : price(s));
    return v;
  };
  for (let t = 0; t < T; t++) {
    if (t > 0) {
      // Borrow on the shorts carried overnight, by calendar days since the last session.
      const days = Math.round((Date.parse(data.dates[t]!) - Date.parse(data.dates[t - 1]!)) / DAY_MS);
      for (let s = 0; s < S; s++) {
        if (shares[s]! < 0) {
          const c = borrowCost(model, shares[s]! * lastPrice[s]!, days);
          cash -= c;
          costs.borrow += c;
        }
      }
    }
    const decided = t - delay;
    if (decided >= 0) {
      const execPrice = (s: number) => (useOpen ? data.open[s]![t]! : data.close[s]![t]!);
      const equityAtExec = value(execPrice);
      let traded = 0;
      for (let s = 0; s < S; s++) {
        const w = weights[s]![decided]!;
        const price = execPrice(s);
        if (Number.isNaN(w) || Number.isNaN(price)) continue;
        const ordered = (w * equityAtExec) / price - shares[s]!;
        if (Math.abs(ordered) < 1e-12) continue;
        const fill = simulateFill(model, ordered, { open: data.open[s]![t]!, close: data.close[s]![t]!, volume: data.volume[s]![t]! });
        if (fill.shares === 0) continue;
        shares[s]! += fill.shares;
        cash -= fill.shares * fill.price + fill.fee;
        costs.fees += fill.fee;
        costs.slippage += fill.slippageCost;
        traded += Math.abs(fill.shares * fill.price);
        trades.push({ decided: data.dates[decided]!, date: data.dates[t]!, symbol: data.symbols[s]!, ordered, shares: fill.shares, price: fill.price, fee: fill.fee });
      }
      turnover[t] = equityAtExec > 0 ? traded / equityAtExec : 0;
    }
    for (let s = 0; s < S; s++) if (!Number.isNaN(data.close[s]![t]!)) lastPrice[s] = data.close[s]![t]!;
    const eq = value(() => Number.NaN);
    equity[t] = eq;
    let g = 0;
    let n = 0;
    for (let s = 0; s < S; s++) {
      positions[s]![t] = shares[s]!;
      if (shares[s] === 0) continue;
      const v = shares[s]! * lastPrice[s]!;
      g += Math.abs(v);
      n += v;
    }
    gross[t] = g / eq;
    net[t] = n / eq;
  }
  return { equity, positions, turnover, grossExposure: gross, netExposure: net, trades, costs };
}

/** Many strategies (weight sets) over one data set and cost model: a parameter sweep. */
export function sweepTargetWeights(data: MarketData, strategies: readonly (readonly Float64Array[])[], model: CostModel, initialCash: number): BacktestResult[] {
  return strategies.map((w) => backtestTargetWeights(data, w, model, initialCash));
}
