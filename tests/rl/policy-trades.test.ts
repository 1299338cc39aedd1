import { describe, expect, it } from 'vitest';
import { policyTrades } from '../../src/rl/policy-trades.js';

describe('policyTrades: an action read as the trading environment reads it', () => {
  it('truncates action x hmax to whole shares, clipping the action to [-1, 1]', () => {
    expect(policyTrades([0.259, 2, -0.0001], 100, [0, 0, 50])).toEqual([
      { asset: 1, shares: 100 },
      { asset: 0, shares: 25 },
    ]);
  });

  it('sells first (the largest first, never more than held, never short), then buys the largest first', () => {
    const trades = policyTrades([0.3, -0.9, -0.5, 0.7, -0.2], 10, [0, 4, 10, 0, 0]);
    expect(trades).toEqual([
      { asset: 1, shares: -4 }, // wanted -9, held 4
      { asset: 2, shares: -5 },
      // asset 4 wants to sell 2 and holds none: no short
      { asset: 3, shares: 7 },
      { asset: 0, shares: 3 },
    ]);
  });

  it('breaks ties by asset order, whatever the sort', () => {
    expect(policyTrades([0.5, 0.5, -0.5, -0.5], 10, [0, 0, 5, 5])).toEqual([
      { asset: 2, shares: -5 },
      { asset: 3, shares: -5 },
      { asset: 0, shares: 5 },
      { asset: 1, shares: 5 },
    ]);
  });
});
