import { sma } from '../features/indicators.js';
import type { MarketData } from './target-weights.js';

/**
 * Baseline strategies as target weights (weights[s][t], decided on bar t's close; NaN keeps
 * the position). Each reads only closes at or before t, so they are as honest as any strategy
 * a backtest is compared against must be.
 */
type Weights = Float64Array[];

const blank = (data: MarketData): Weights =>
  data.symbols.map(() => new Float64Array(data.dates.length).fill(Number.NaN));

/** Equal weights across the symbols trading that day, set on the first bar and then held. */
export function buyAndHold(data: MarketData): Weights {
  return equalWeight(data, Number.MAX_SAFE_INTEGER);
}

/** Equal weights across the symbols with a close that day, reset every `every` bars. */
export function equalWeight(data: MarketData, every: number): Weights {
  if (!Number.isInteger(every) || every < 1)
    throw new Error(`equal weight: rebalance every whole number >= 1 of bars, got ${every}`);
  const w = blank(data);
  for (let t = 0; t < data.dates.length; t += every) {
    const trading = (s: number) => !Number.isNaN(data.close[s]![t]!);
    const live = data.symbols.filter((_, s) => trading(s)).length;
    for (let s = 0; s < data.symbols.length; s++) w[s]![t] = trading(s) ? 1 / live : 0;
    if (every === Number.MAX_SAFE_INTEGER) break;
  }
  return w;
}

/** Long (1 / number of symbols) while the fast simple moving average is above the slow one, else flat. */
export function smaCrossover(data: MarketData, fast: number, slow: number): Weights {
  if (!(Number.isInteger(fast) && Number.isInteger(slow) && fast >= 1 && slow > fast))
    throw new Error(`SMA crossover: need whole numbers 1 <= fast < slow, got ${fast} and ${slow}`);
  return data.close.map((close) => {
    const c = [...close];
    const f = sma(c, fast);
    const s = sma(c, slow);
    return Float64Array.from(c, (_, t) => (Number.isNaN(s[t]!) ? 0 : f[t]! > s[t]! ? 1 / data.symbols.length : 0));
  });
}

/**
 * Cross-sectional momentum: every `every` bars, rank symbols by their return from `lookback`
 * bars ago to `skip` bars ago (skipping the most recent bars' reversal), and hold the top
 * `top` share of them in equal weights.
 */
export function crossSectionalMomentum(
  data: MarketData,
  o: { lookback: number; skip: number; top: number; every: number },
): Weights {
  if (!(o.lookback > o.skip && o.skip >= 0 && o.top > 0 && o.top <= 1 && o.every >= 1))
    throw new Error('momentum: need lookback > skip >= 0, 0 < top <= 1, every >= 1');
  const w = blank(data);
  for (let t = o.lookback; t < data.dates.length; t += o.every) {
    const scored = data.symbols
      .map((_, s) => ({ s, r: data.close[s]![t - o.skip]! / data.close[s]![t - o.lookback]! - 1 }))
      .filter((x) => Number.isFinite(x.r))
      // Highest return first; ties by symbol order, so the choice never depends on sort stability.
      .sort((a, b) => b.r - a.r || a.s - b.s);
    const chosen = new Set(scored.slice(0, Math.max(1, Math.floor(scored.length * o.top))).map((x) => x.s));
    for (let s = 0; s < data.symbols.length; s++) w[s]![t] = chosen.has(s) ? 1 / chosen.size : 0;
  }
  return w;
}
