import { describe, expect, it } from 'vitest';
import { backtestTargetWeights, type Trade } from '../../src/backtest/target-weights.js';
import { roundTrips, tradeStats } from '../../src/backtest/trade-stats.js';
import { costModelSchema } from '../../src/costs/cost-model.js';

const trade = (date: string, shares: number, price: number, fee = 0): Trade => ({
  decided: date,
  date,
  symbol: 'A',
  ordered: shares,
  shares,
  price,
  fee,
});

describe('round trips and trade statistics', () => {
  it('pairs opening and closing trades, splitting a flip and its fee', () => {
    const trips = roundTrips([
      trade('d1', 10, 100, 1), // open long 10
      trade('d2', 5, 110, 1), // add 5
      trade('d3', -25, 120, 5), // close 15 (fee 3), open short 10 (fee 2)
      trade('d4', 10, 115, 1), // close the short
      trade('d5', 3, 100), // still open at the end: no trip
    ]);
    expect(trips).toEqual([
      { symbol: 'A', side: 'long', opened: 'd1', closed: 'd3', pnl: -1000 - 1 - 550 - 1 + 15 * 120 - 3 },
      { symbol: 'A', side: 'short', opened: 'd3', closed: 'd4', pnl: 10 * 120 - 2 - 10 * 115 - 1 },
    ]);
  });

  it('hit rate, average win and loss, turnover and exposure of a backtest', () => {
    const dates = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'];
    const px = Float64Array.from([10, 10, 12, 12, 9]);
    const data = { dates, symbols: ['A'], open: [px], close: [px], volume: [new Float64Array(5).fill(1e9)] };
    // Long on day 2 (10), out on day 3 (12): a win; long again day 4 (12), out day 5 (9): a loss.
    const w = Float64Array.from([1, 0, 1, 0, Number.NaN]);
    const r = backtestTargetWeights(data, [w], costModelSchema.parse({}), 100);
    const s = tradeStats(r, 252);
    expect(s.round_trips).toBe(2);
    expect(s.hit_rate).toBe(0.5);
    expect(s.avg_win).toBeCloseTo(20, 9);
    expect(s.avg_loss).toBeCloseTo(-30, 9);
    expect(s.turnover_annual).toBeCloseTo(((1 + 1 + 1 + 1) / 5) * 252, 9);
    expect(s.gross_exposure).toBeCloseTo(2 / 5, 9); // fully invested on days 2 and 4 only
  });
});
