import { annualizedSharpe } from '../math/statistics.js';
import { combinations } from './cross-validation.js';

/**
 * The probability of backtest overfitting by combinatorially symmetric cross-validation
 * (Bailey, Borwein, López de Prado and Zhu, 2017). The returns of N configurations over the
 * same T sessions are cut into S contiguous blocks (S even); each of the C(S, S/2) ways to pick
 * half the blocks is a training set, the other half its test set. On each split the
 * configuration with the best training Sharpe ratio is taken, and its test Sharpe ratio is
 * ranked among all N: ω = rank / (N + 1) (rank 1 the worst), λ = ln(ω / (1 - ω)). PBO is the
 * share of splits where λ ≤ 0, i.e. where the in-sample best is no better than the median out
 * of sample. Near 0: choosing by backtest picks what keeps working; near or above 0.5: the
 * choice is noise.
 */
export interface PboResult {
  pbo: number;
  /** C(S, S/2). */
  splits: number;
  blocks: number;
  configurations: number;
  /** λ of each split, in the order of the combinations (lexicographic). */
  logits: number[];
}

export function probabilityOfBacktestOverfitting(
  returns: readonly ArrayLike<number>[],
  blocks: number,
  periodsPerYear = 252,
): PboResult {
  const N = returns.length;
  if (N < 2) throw new Error(`PBO compares configurations: ${N} given, at least 2 are needed`);
  if (blocks < 2 || blocks % 2 !== 0) throw new Error(`PBO needs an even number of blocks, at least 2 (got ${blocks})`);
  const T = returns[0]!.length;
  if (returns.some((r) => r.length !== T)) throw new Error('PBO needs every configuration over the same sessions');
  if (T < 2 * blocks) throw new Error(`PBO with ${blocks} blocks needs at least ${2 * blocks} sessions (got ${T})`);
  const bounds = Array.from({ length: blocks + 1 }, (_, b) => Math.round((b * T) / blocks));
  // Per configuration and block: the count, sum and sum of squares of its returns, so a split's
  // Sharpe ratio over any union of blocks costs O(blocks), not O(T). Sums are centred on each
  // configuration's mean, which keeps the one-pass variance as exact as the two-pass one.
  const stats = returns.map((r) => {
    let m = 0;
    for (let t = 0; t < T; t++) m += r[t]!;
    m /= T;
    return Array.from({ length: blocks }, (_, b) => {
      let sum = 0;
      let squares = 0;
      for (let t = bounds[b]!; t < bounds[b + 1]!; t++) {
        const d = r[t]! - m;
        sum += d;
        squares += d * d;
      }
      return { n: bounds[b + 1]! - bounds[b]!, sum, squares, mean: m };
    });
  });
  // A configuration that never moves has no Sharpe ratio: it ranks below every one that does.
  const sharpe = (n: number, chosen: readonly number[]) => {
    const s = stats[n]!;
    let count = 0;
    let sum = 0;
    let squares = 0;
    for (const b of chosen) {
      count += s[b]!.n;
      sum += s[b]!.sum;
      squares += s[b]!.squares;
    }
    const centred = sum / count;
    const variance = (squares - count * centred * centred) / (count - 1);
    const value =
      variance > 0 ? annualizedSharpe(s[0]!.mean + centred, Math.sqrt(variance), periodsPerYear) : Number.NaN;
    return Number.isNaN(value) ? -Infinity : value;
  };
  const logits: number[] = [];
  for (const train of combinations(blocks, blocks / 2)) {
    const test = Array.from({ length: blocks }, (_, b) => b).filter((b) => !train.includes(b));
    let best = 0;
    let bestSharpe = -Infinity;
    const testSharpe = returns.map((_, n) => {
      const s = sharpe(n, train);
      // Ties go to the first configuration, so the choice is deterministic.
      if (s > bestSharpe) {
        bestSharpe = s;
        best = n;
      }
      return sharpe(n, test);
    });
    // Rank 1 is the worst out of sample; ties share the average rank.
    const x = testSharpe[best]!;
    const below = testSharpe.filter((s) => s < x).length;
    const equal = testSharpe.filter((s) => s === x).length;
    const rank = below + (equal + 1) / 2;
    const omega = rank / (N + 1);
    logits.push(Math.log(omega / (1 - omega)));
  }
  return {
    pbo: logits.filter((l) => l <= 0).length / logits.length,
    splits: logits.length,
    blocks,
    configurations: N,
    logits,
  };
}
