import { describe, expect, it } from 'vitest';
import { bollinger, macd, rsi } from '../../src/features/indicators.js';
import { rollingOls } from '../../src/math/rolling-regression.js';
import type { BarPanel } from '../../src/strategy/bar-panel.js';
import { randomWalkBars } from '../helpers/random-bars.js';
import { shippedStrategy, shippedWeights } from '../helpers/shipped-strategy.js';

/** A seeded uniform in [0, 1). */
function lcg(seed: number): () => number {
  let x = seed;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 4294967296;
}

/**
 * A cointegrated pair: x a random walk, ln y = 0.2 + 1.5 ln x + an AR(1) spread (phi 0.9) that
 * now and then takes a shock of 4 of its standard deviations, so the z-score crosses any entry
 * threshold and reverts.
 */
function cointegratedPair(seed: number, T: number): BarPanel {
  const rand = lcg(seed);
  const lx = new Float64Array(T);
  const spread = new Float64Array(T);
  lx[0] = Math.log(50);
  for (let t = 1; t < T; t++) {
    lx[t] = lx[t - 1]! + (rand() - 0.5) * 0.02;
    spread[t] = 0.9 * spread[t - 1]! + (rand() - 0.5) * 0.01 + (t % 97 === 0 ? 0.03 : 0);
  }
  const y = Float64Array.from(lx, (l, t) => Math.exp(0.2 + 1.5 * l + spread[t]!));
  const x = Float64Array.from(lx, (l) => Math.exp(l));
  return {
    dates: Array.from({ length: T }, (_, t) => new Date(Date.UTC(2020, 0, 1 + t)).toISOString().slice(0, 10)),
    symbols: ['YYY', 'XXX'],
    open: [y, x],
    close: [y, x],
    volume: [new Float64Array(T).fill(1e6), new Float64Array(T).fill(1e6)],
  };
}

/** The panel with every close (and open) after bar `cut` scaled by k: a different future, the same past. */
function withFuture(panel: BarPanel, cut: number, k: number): BarPanel {
  const future = (xs: Float64Array) => Float64Array.from(xs, (v, t) => (t > cut ? v * k : v));
  return { ...panel, open: panel.open.map(future), close: panel.close.map(future) };
}

describe('a rolling least-squares fit (the hedge ratio of a pair)', () => {
  it('matches the textbook fit on a hand-computed window', () => {
    const fit = rollingOls([2, 4, 5, 4], [1, 2, 3, 4], 4);
    // x̄ 2.5, ȳ 3.75, Sxx 5, Sxy 3.5: beta 0.7, alpha 2; residuals -0.7, 0.6, 0.9, -0.8; SSE 2.3.
    expect(fit.beta[3]).toBeCloseTo(0.7, 14);
    expect(fit.alpha[3]).toBeCloseTo(2, 14);
    expect(fit.residual[3]).toBeCloseTo(-0.8, 14);
    expect(fit.residualStd[3]).toBeCloseTo(Math.sqrt(2.3 / 2), 14);
    for (const t of [0, 1, 2]) expect(fit.beta[t]).toBeNaN();
  });

  it('recovers an exact line, reads only its window, and has no value over a gap or a flat x', () => {
    const x = Array.from({ length: 30 }, (_, i) => 10 + Math.sin(i));
    const y = x.map((v) => 3 + 2 * v);
    const fit = rollingOls(y, x, 10);
    for (let t = 9; t < 30; t++) {
      expect(fit.beta[t]).toBeCloseTo(2, 12);
      expect(fit.alpha[t]).toBeCloseTo(3, 11);
    }
    const later = rollingOls(
      y.map((v, i) => (i > 20 ? v * 7 : v)),
      x,
      10,
    );
    expect([...later.beta.subarray(0, 21)]).toEqual([...fit.beta.subarray(0, 21)]);
    const gap = rollingOls(
      y.map((v, i) => (i === 15 ? Number.NaN : v)),
      x,
      10,
    );
    expect(gap.beta[20]).toBeNaN();
    expect(gap.beta[25]).toBeCloseTo(2, 12);
    expect(rollingOls([1, 2, 3, 4], [5, 5, 5, 5], 3).beta[3]).toBeNaN();
    expect(() => rollingOls([1, 2], [1, 2], 2)).toThrow(/window must be a whole number >= 3/);
  });
});

describe('pairs_mean_reversion', () => {
  const panel = cointegratedPair(11, 800);
  const settings = { lookback: 60, entry_z: 2, exit_z: 0.5 };

  it('trades the spread both ways, legs in the hedge ratio of the past window, gross as configured', async () => {
    const w = await shippedWeights('pairs_mean_reversion', panel, settings);
    const fit = rollingOls(
      panel.close[0]!.map((p) => Math.log(p)),
      panel.close[1]!.map((p) => Math.log(p)),
      60,
    );
    let longs = 0;
    let shorts = 0;
    for (let t = 0; t < panel.dates.length; t++) {
      const [a, b] = [w[0]![t]!, w[1]![t]!];
      if (Number.isNaN(a)) continue; // not a decision: held
      if (a === 0) {
        expect(b).toBe(0);
        continue;
      }
      const z = fit.residual[t]! / fit.residualStd[t]!;
      // Entered beyond entry_z against the spread's sign, legs 1 : -beta with the fit known at t.
      expect(Math.abs(z)).toBeGreaterThanOrEqual(2);
      expect(Math.sign(a)).toBe(-Math.sign(z));
      expect(b / a).toBeCloseTo(-fit.beta[t]!, 12);
      expect(Math.abs(a) + Math.abs(b)).toBeCloseTo(1, 12);
      if (a > 0) longs++;
      else shorts++;
    }
    expect(longs).toBeGreaterThan(0);
    expect(shorts).toBeGreaterThan(0);
    // The estimated hedge ratio is near the true 1.5 once the window is full.
    expect(fit.beta[700]).toBeGreaterThan(1.2);
    expect(fit.beta[700]).toBeLessThan(1.8);
  });

  it('exits once the spread is back within exit_z, and nothing before a bar changes with its future', async () => {
    const w = await shippedWeights('pairs_mean_reversion', panel, settings);
    const decisions = [...w[0]!.keys()].filter((t) => !Number.isNaN(w[0]![t]!));
    expect(decisions.filter((t) => w[0]![t] === 0).length).toBeGreaterThan(2);
    for (const cut of [100, 333, 650])
      for (const k of [0.6, 1.7]) {
        const after = await shippedWeights('pairs_mean_reversion', withFuture(panel, cut, k), settings);
        for (const s of [0, 1]) expect([...after[s]!.subarray(0, cut + 1)]).toEqual([...w[s]!.subarray(0, cut + 1)]);
      }
  });

  it('refuses anything but two symbols, saying which it got', async () => {
    const three = randomWalkBars(3, 100, ['AAA', 'BBB', 'CCC']);
    const strategy = await shippedStrategy('pairs_mean_reversion', settings);
    expect(() => strategy.definition.weights!(three, strategy.config)).toThrow(
      /a pair is two symbols; this backtest trades 3 \(AAA, BBB, CCC\)/,
    );
    await expect(shippedStrategy('pairs_mean_reversion', { entry_z: 1, exit_z: 1 })).rejects.toThrow(
      /exit_z must be below entry_z/,
    );
  });
});

describe('indicator_vote', () => {
  const panel = randomWalkBars(5, 600, ['AAA', 'BBB']);

  it('holds a symbol exactly on the bars where enough of RSI, MACD and Bollinger vote for it', async () => {
    const w = await shippedWeights('indicator_vote', panel, { min_votes: 2 });
    for (let s = 0; s < 2; s++) {
      const close = [...panel.close[s]!];
      const r = rsi(close, 14);
      const m = macd(close, 12, 26, 9);
      const b = bollinger(close, 20, 2);
      let held = 0;
      for (let t = 0; t < close.length; t++) {
        const votes =
          (r[t]! < 30 ? 1 : r[t]! > 70 ? -1 : 0) +
          (m.macd[t]! > m.signal[t]! ? 1 : m.macd[t]! < m.signal[t]! ? -1 : 0) +
          (close[t]! > b.upper[t]! ? 1 : close[t]! < b.lower[t]! ? -1 : 0);
        expect(w[s]![t], `${panel.symbols[s]} on ${panel.dates[t]}`).toBe(votes >= 2 ? 0.5 : 0);
        if (votes >= 2) held++;
      }
      expect(held).toBeGreaterThan(0);
    }
  });

  it('more votes required, fewer bars held; shorts only when asked; the future changes nothing before it', async () => {
    const held = async (settings: Record<string, unknown>, sign: number) =>
      (await shippedWeights('indicator_vote', panel, settings)).flatMap((ws) =>
        [...ws.keys()].filter((t) => Math.sign(ws[t]!) === sign),
      ).length;
    const [one, two, three] = [
      await held({ min_votes: 1 }, 1),
      await held({ min_votes: 2 }, 1),
      await held({ min_votes: 3 }, 1),
    ];
    expect(one).toBeGreaterThan(two);
    expect(two).toBeGreaterThanOrEqual(three);
    expect(await held({ min_votes: 2 }, -1)).toBe(0);
    expect(await held({ min_votes: 2, short: true }, -1)).toBeGreaterThan(0);
    const w = await shippedWeights('indicator_vote', panel, { min_votes: 1, short: true });
    for (const cut of [50, 300]) {
      const after = await shippedWeights('indicator_vote', withFuture(panel, cut, 1.4), { min_votes: 1, short: true });
      for (const s of [0, 1]) expect([...after[s]!.subarray(0, cut + 1)]).toEqual([...w[s]!.subarray(0, cut + 1)]);
    }
  });
});
