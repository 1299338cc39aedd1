import { sharpeOfReturns } from '../math/statistics.js';
import { combinatorialPurgedSplits, combinations, cpcvPathCount } from './cross-validation.js';

/**
 * Combinatorial purged cross-validation of a selection rule: "take the configuration with the
 * best Sharpe ratio on the training data" (López de Prado, 2018, ch. 12). The T returns of N
 * configurations are cut into G groups; each of the C(G, k) choices of k test groups is a split,
 * its training set the other groups less what purging and the embargo remove. On each split the
 * rule picks on the training set, and the pick's returns on the test groups are kept. Every group
 * is tested in C(G-1, k-1) splits, so the kept returns assemble into that many complete
 * out-of-sample paths over all T returns (the j-th path takes each group from the j-th split that
 * tests it); the Sharpe ratio of each path is one draw of the rule's out-of-sample performance.
 */
export interface CpcvResult {
  groups: number;
  test_groups: number;
  splits: number;
  paths: number;
  /** Out-of-sample Sharpe ratio of each path. */
  path_sharpe: number[];
}

/**
 * `horizon`: how many returns after its own a return's information reaches (a decision at t is
 * realised delay + 1 bars on), for purging; `embargo`: the share of all returns dropped from
 * training after each test group.
 */
export function cpcvOfSelection(
  returns: readonly ArrayLike<number>[],
  o: { groups: number; testGroups: number; horizon: number; embargo: number },
  periodsPerYear = 252,
): CpcvResult {
  const N = returns.length;
  if (N < 1) throw new Error('CPCV needs at least one configuration');
  const T = returns[0]!.length;
  // Times as sortable strings: observation i starts at i and its label ends at i + horizon.
  const key = (i: number) => String(i).padStart(12, '0');
  const times = Array.from({ length: T }, (_, i) => key(i));
  const ends = Array.from({ length: T }, (_, i) => key(Math.min(T - 1, i + o.horizon)));
  const splits = combinatorialPurgedSplits(times, ends, {
    groups: o.groups,
    testGroups: o.testGroups,
    embargo: o.embargo,
  });
  const chosenTests = combinations(o.groups, o.testGroups);
  const bounds = Array.from({ length: o.groups + 1 }, (_, g) => Math.floor((g * T) / o.groups));
  const sharpe = (r: ArrayLike<number>, idx: readonly number[]) => {
    const s = sharpeOfReturns(
      idx.map((i) => r[i]!),
      periodsPerYear,
    );
    return Number.isNaN(s) ? -Infinity : s;
  };
  // The configuration each split picks on its training set.
  const picks = splits.map((split) => {
    let best = 0;
    let bestSharpe = -Infinity;
    returns.forEach((r, n) => {
      const s = sharpe(r, split.train);
      if (s > bestSharpe) {
        bestSharpe = s;
        best = n;
      }
    });
    return best;
  });
  const paths = cpcvPathCount(o.groups, o.testGroups);
  const pathReturns = Array.from({ length: paths }, () => new Float64Array(T));
  for (let g = 0; g < o.groups; g++) {
    const testing = chosenTests.map((c, s) => (c.includes(g) ? s : -1)).filter((s) => s >= 0);
    testing.forEach((s, j) => {
      const r = returns[picks[s]!]!;
      for (let t = bounds[g]!; t < bounds[g + 1]!; t++) pathReturns[j]![t] = r[t]!;
    });
  }
  return {
    groups: o.groups,
    test_groups: o.testGroups,
    splits: splits.length,
    paths,
    path_sharpe: pathReturns.map((r) => sharpeOfReturns(r, periodsPerYear)),
  };
}
