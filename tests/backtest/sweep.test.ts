import { describe, expect, it } from 'vitest';
import { shippedWeights } from '../helpers/shipped-strategy.js';
import { smaCrossoverSweepWeights, sweepSingleAsset } from '../../src/backtest/sweep.js';
import { backtestTargetWeights } from '../../src/backtest/target-weights.js';
import { costModelSchema } from '../../src/costs/cost-model.js';
import { performanceMetrics } from '../../src/evaluation/performance-metrics.js';

function walk(seed: number, T: number) {
  let x = seed;
  const rand = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 4294967296;
  const open = new Float64Array(T);
  const close = new Float64Array(T);
  let p = 100;
  for (let t = 0; t < T; t++) {
    open[t] = p * (1 + (rand() - 0.5) * 0.01);
    p = open[t]! * (1 + (rand() - 0.5) * 0.03);
    close[t] = p;
  }
  return { open, close, volume: new Float64Array(T).fill(1e6) };
}

describe('parameter sweeps', () => {
  const model = costModelSchema.parse({
    fees: { bps: 1, per_share: 0.001, min_per_order: 0.5 },
    slippage: { fixed_bps: 2, volume_share: { price_impact: 0.5, participation_cap: 0.5 } },
  });
  const bars = walk(5, 800);
  const pairs = [
    [5, 20],
    [10, 50],
    [3, 7],
    [20, 200],
  ] as const;

  it('each run is the vectorized engine on one symbol, fill for fill', async () => {
    const runs = sweepSingleAsset(bars, pairs.length, smaCrossoverSweepWeights(bars.close, pairs), model, 1e5, 252);
    const data = {
      dates: Array.from({ length: 800 }, (_, t) => `d${String(t).padStart(4, '0')}`),
      symbols: ['X'],
      open: [bars.open],
      close: [bars.close],
      volume: [bars.volume],
    };
    for (const [k, [fast, slow]] of pairs.entries()) {
      const weights = await shippedWeights('sma_crossover', data, { fast, slow });
      const full = backtestTargetWeights(data, weights, model, 1e5);
      expect(runs[k]!.finalEquity).toBe(full.equity.at(-1));
      expect(runs[k]!.fills).toBe(full.trades.length);
      expect(runs[k]!.sharpe).toBeCloseTo(performanceMetrics([...full.equity], 252).sharpe, 9);
    }
  });

  it("prefix-sum SMA crossover weights are the shipped strategy's weights", async () => {
    const w = smaCrossoverSweepWeights(bars.close, pairs);
    const data = {
      dates: Array.from({ length: 800 }, (_, t) => `d${t}`),
      symbols: ['X'],
      open: [bars.open],
      close: [bars.close],
      volume: [bars.volume],
    };
    for (const [k, [fast, slow]] of pairs.entries()) {
      const [base] = await shippedWeights('sma_crossover', data, { fast, slow });
      for (let t = 0; t < 800; t++) expect(w(k, t)).toBe(base![t]);
    }
  });

  it("refuses short weights (borrow is the full engine's job)", () => {
    expect(() => sweepSingleAsset(bars, 1, () => -1, model, 1e5, 252)).toThrow(/long or flat/);
  });
});
