import type { BacktestResult, Trade } from './backtest-result.js';

/** One position from opening (flat to long or short) to closing (back to flat), fees included. */
export interface RoundTrip {
  symbol: string;
  side: 'long' | 'short';
  opened: string;
  closed: string;
  pnl: number;
}

/**
 * Round trips per symbol from a trade log, in order. A trade that flips the position closes
 * the old trip and opens a new one, its fee split by shares; a position still open at the end
 * is not a round trip.
 */
export function roundTrips(trades: readonly Trade[]): RoundTrip[] {
  const open = new Map<string, { side: 'long' | 'short'; opened: string; position: number; cash: number }>();
  const trips: RoundTrip[] = [];
  for (const t of trades) {
    let remaining = t.shares;
    while (Math.abs(remaining) > 1e-12) {
      const cur = open.get(t.symbol);
      const part =
        cur && Math.sign(remaining) !== Math.sign(cur.position)
          ? Math.sign(remaining) * Math.min(Math.abs(remaining), Math.abs(cur.position))
          : remaining;
      const fee = (t.fee * Math.abs(part)) / Math.abs(t.shares);
      const cash = -part * t.price - fee;
      if (!cur) {
        open.set(t.symbol, { side: part > 0 ? 'long' : 'short', opened: t.date, position: part, cash });
      } else {
        cur.position += part;
        cur.cash += cash;
        if (Math.abs(cur.position) <= 1e-9) {
          trips.push({ symbol: t.symbol, side: cur.side, opened: cur.opened, closed: t.date, pnl: cur.cash });
          open.delete(t.symbol);
        }
      }
      remaining -= part;
    }
  }
  return trips;
}

export interface TradeStats {
  round_trips: number;
  hit_rate: number;
  avg_win: number;
  avg_loss: number;
  /** Mean traded value over equity per period, times periods a year. */
  turnover_annual: number;
  gross_exposure: number;
  /** The largest gross exposure at any close. */
  gross_exposure_max: number;
  net_exposure: number;
}

/** Trade and exposure statistics of a backtest: hit rate and average win and loss over closed round trips. */
export function tradeStats(result: BacktestResult, periodsPerYear: number): TradeStats {
  const trips = roundTrips(result.trades);
  const wins = trips.filter((t) => t.pnl > 0);
  const losses = trips.filter((t) => t.pnl <= 0);
  const avg = (xs: readonly number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((a, x) => a + x, 0) / xs.length);
  return {
    round_trips: trips.length,
    hit_rate: trips.length === 0 ? Number.NaN : wins.length / trips.length,
    avg_win: avg(wins.map((t) => t.pnl)),
    avg_loss: avg(losses.map((t) => t.pnl)),
    turnover_annual: avg([...result.turnover]) * periodsPerYear,
    gross_exposure: avg([...result.grossExposure]),
    gross_exposure_max: result.grossExposure.reduce((m, x) => Math.max(m, x), 0),
    net_exposure: avg([...result.netExposure]),
  };
}
