import { describe, expect, it } from 'vitest';
import { borrowCost, costModelSchema, executionBarIndex, orderFee, simulateFill } from '../../src/costs/cost-model.js';

describe('the execution-cost model, by hand-computed examples', () => {
  it('fees: per share plus basis points, with a minimum per order, nothing when nothing trades', () => {
    const m = costModelSchema.parse({ fees: { per_share: 0.005, bps: 1, min_per_order: 1 } });
    // 1,000 shares at 50: 5.00 per share + 50,000 x 1 bp = 5 + 5 = 10.
    expect(orderFee(m, 1000, 50)).toBeCloseTo(10, 12);
    expect(orderFee(m, -1000, 50)).toBeCloseTo(10, 12);
    // 10 shares at 50: 0.05 + 0.05 = 0.10, below the 1.00 minimum.
    expect(orderFee(m, 10, 50)).toBe(1);
    expect(orderFee(m, 0, 50)).toBe(0);
  });

  it('fixed slippage moves the price against the order, buy and sell alike', () => {
    const m = costModelSchema.parse({ slippage: { fixed_bps: 10 } });
    const bar = { open: 100, close: 101, volume: 1e6 };
    const buy = simulateFill(m, 200, bar);
    expect(buy.price).toBeCloseTo(100.1, 12); // 100 x (1 + 0.001), at the open
    expect(buy.slippageCost).toBeCloseTo(20, 9); // 200 x 0.10
    const sell = simulateFill(m, -200, bar);
    expect(sell.price).toBeCloseTo(99.9, 12);
    expect(simulateFill(costModelSchema.parse({ execution: { price: 'close' } }), 1, bar).price).toBe(101);
  });

  it('volume share: the participation cap leaves the rest unfilled, impact grows with the square of the share', () => {
    const m = costModelSchema.parse({
      slippage: { volume_share: { price_impact: 0.1, participation_cap: 0.025 } },
      fees: { per_share: 0.01 },
    });
    const bar = { open: 40, close: 40, volume: 10_000 };
    const f = simulateFill(m, 1_000, bar);
    expect(f.shares).toBe(250); // 2.5% of 10,000
    // share 0.025: impact 0.1 x 0.025^2 = 0.0000625, so 40 x 1.0000625 = 40.0025.
    expect(f.price).toBeCloseTo(40.0025, 12);
    expect(f.fee).toBeCloseTo(2.5, 12);
    const small = simulateFill(m, -100, bar); // share 0.01: 0.1 x 0.0001 = 0.00001
    expect(small.shares).toBe(-100);
    expect(small.price).toBeCloseTo(40 * (1 - 0.00001), 12);
    expect(simulateFill(m, 100, { ...bar, volume: 0 })).toMatchObject({ shares: 0, fee: 0 }); // no volume, no fill
  });

  it('borrow cost accrues on the short value by calendar days; fills are never on the decision bar', () => {
    const m = costModelSchema.parse({ borrow: { annual_rate: 0.036 } });
    // 100,000 short for 10 days at 3.6% over 360 days: 100,000 x 0.036 x 10 / 360 = 100.
    expect(borrowCost(m, -100_000, 10)).toBeCloseTo(100, 9);
    expect(executionBarIndex(costModelSchema.parse({}), 7)).toBe(8);
    expect(executionBarIndex(costModelSchema.parse({ execution: { delay_bars: 2 } }), 7)).toBe(9);
    expect(() => costModelSchema.parse({ execution: { delay_bars: 0 } })).toThrow();
  });
});
