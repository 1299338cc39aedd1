import { describe, expect, it } from 'vitest';
import { deflatedSharpe, deflatedSharpeOf, expectedMaxSharpe } from '../../src/evaluation/deflated-sharpe.js';
import { probabilisticSharpe } from '../../src/evaluation/performance-metrics.js';
import { normalCdf, normalQuantile } from '../../src/math/normal.js';

describe('deflated Sharpe ratio', () => {
  it('the normal quantile inverts the normal distribution to near double precision', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 13);
    expect(normalQuantile(0.5)).toBe(0);
    for (const p of [1e-12, 1e-6, 0.01, 0.02425, 0.3, 0.7, 0.99, 1 - 1e-9])
      expect(Math.abs(normalCdf(normalQuantile(p)) - p) / Math.min(p, 1 - p)).toBeLessThan(1e-12);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(Number.isNaN(normalQuantile(1.5))).toBe(true);
  });

  it('the normal quantile is accurate in both tails, relative to the tail probability (1e-14)', () => {
    // The tail probability of the stored p: 1 - p is exact for p above one half. Below 1e-15 no
    // double x can do better than about x² ε relative (one ulp of x moves Φ by that), so the
    // deeper tails are held to their symmetry only.
    for (const tail of [1e-300, 1e-100, 1e-30])
      expect(normalQuantile(1 - tail === 1 ? tail : 1 - tail)).toBe(normalQuantile(tail));
    for (const tail of [1e-15, 1e-12, 1e-9, 1e-6, 1e-3, 0.01, 0.02, 0.1, 0.3]) {
      const lower = normalQuantile(tail);
      expect(Math.abs(normalCdf(lower) - tail) / tail, `lower ${tail}`).toBeLessThan(1e-14);
      const p = 1 - tail;
      const upper = normalQuantile(p);
      expect(Math.abs(normalCdf(-upper) - (1 - p)) / (1 - p), `upper ${tail}`).toBeLessThan(1e-14);
      expect(upper).toBe(-normalQuantile(1 - p));
    }
  });

  it("matches Bailey and Lopez de Prado's worked example (2014): DSR 0.9004", () => {
    // Annual SR 2.5 over 1,250 days (250 a year), skew -3, kurtosis 10, 100 trials whose annual
    // Sharpe ratios have variance 1/2. The paper gives SR0 = 0.1132 per day and DSR = 0.9004.
    const daily = (annual: number) => annual / Math.sqrt(250);
    const sr0 = expectedMaxSharpe(100, 0.5 / 250);
    expect(sr0).toBeCloseTo(0.1132, 4);
    const dsr = deflatedSharpeOf({ sharpe: daily(2.5), observations: 1250, skew: -3, kurtosis: 10 }, 100, 0.5 / 250);
    expect(dsr).toBeCloseTo(0.9004, 3);
  });

  it('one trial is the probabilistic Sharpe against 0; more trials lower it', () => {
    const returns = Array.from(
      { length: 500 },
      (_, i) => 0.0008 + 0.01 * Math.sin(i * 1.7) + 0.004 * Math.cos(i * 0.3),
    );
    expect(deflatedSharpe(returns, 1, 1e-4)).toBe(probabilisticSharpe(returns, 0));
    const ten = deflatedSharpe(returns, 10, 1e-4);
    const thousand = deflatedSharpe(returns, 1000, 1e-4);
    expect(ten).toBeLessThan(probabilisticSharpe(returns, 0));
    expect(thousand).toBeLessThan(ten);
    expect(() => expectedMaxSharpe(0, 1)).toThrow(/whole number >= 1/);
  });
});
