/**
 * Splits for honest validation of models whose labels span time. Observation i is decided at
 * times[i] and its label is known at t1[i] >= times[i] (the triple-barrier touch, or the
 * horizon's end); times are sortable (ISO dates) and ascending.
 */
export interface Split {
  train: number[];
  test: number[];
}

/**
 * Walk-forward splits: train on `train` observations, test on the next `test`, move on by
 * `step`; with `expanding` the training window keeps its first observation. A gap of `purge`
 * observations between train and test keeps labels that end in the test window out of training.
 */
export function walkForwardSplits(
  n: number,
  o: { train: number; test: number; step?: number; expanding?: boolean; purge?: number },
): Split[] {
  const step = o.step ?? o.test;
  const purge = o.purge ?? 0;
  if (o.train < 1 || o.test < 1 || step < 1 || purge < 0)
    throw new Error('walk-forward: train, test and step must be >= 1 and purge >= 0');
  const splits: Split[] = [];
  for (let start = 0; start + o.train + purge + o.test <= n; start += step) {
    const trainStart = o.expanding ? 0 : start;
    const trainEnd = start + o.train;
    const testStart = trainEnd + purge;
    splits.push({ train: range(trainStart, trainEnd), test: range(testStart, testStart + o.test) });
  }
  return splits;
}

/**
 * Combinatorial purged cross-validation (Lopez de Prado, 2018, ch. 7 and 12): the observations
 * in `groups` contiguous groups, every choice of `testGroups` of them as the test set. From the
 * training set are removed (purged) the observations whose label interval [times, t1] overlaps a
 * test block's, and (embargoed) the `embargo` share of all observations right after each test
 * block, whose features may have been computed from the test block's returns.
 */
export function combinatorialPurgedSplits(
  times: readonly string[],
  t1: readonly string[],
  o: { groups: number; testGroups: number; embargo: number },
): Split[] {
  const n = times.length;
  if (t1.length !== n) throw new Error(`purged CV: ${n} times but ${t1.length} label end times`);
  if (!(o.groups >= 2 && o.groups <= n && o.testGroups >= 1 && o.testGroups < o.groups))
    throw new Error(`purged CV: need 2 <= groups <= ${n} and 1 <= testGroups < groups`);
  for (let i = 0; i < n; i++) {
    if (t1[i]! < times[i]!)
      throw new Error(`purged CV: observation ${i} ends (${t1[i]}) before it starts (${times[i]})`);
    if (i > 0 && times[i]! < times[i - 1]!) throw new Error(`purged CV: times must be ascending (observation ${i})`);
  }
  const bounds = Array.from({ length: o.groups + 1 }, (_, g) => Math.floor((g * n) / o.groups));
  const embargo = Math.ceil(o.embargo * n);
  return combinations(o.groups, o.testGroups).map((chosen) => {
    const isTest = new Uint8Array(n);
    const removed = new Uint8Array(n);
    for (const g of chosen) {
      const [a, b] = [bounds[g]!, bounds[g + 1]!];
      for (let i = a; i < b; i++) isTest[i] = 1;
      const start = times[a]!;
      let end = start;
      for (let i = a; i < b; i++) if (t1[i]! > end) end = t1[i]!;
      for (let i = 0; i < n; i++) if (times[i]! <= end && t1[i]! >= start) removed[i] = 1;
      for (let i = b; i < Math.min(n, b + embargo); i++) removed[i] = 1;
    }
    const test: number[] = [];
    const train: number[] = [];
    for (let i = 0; i < n; i++) {
      if (isTest[i]) test.push(i);
      else if (!removed[i]) train.push(i);
    }
    return { train, test };
  });
}

/** How many full backtest paths the splits of combinatorial purged CV make: C(G, k) k / G. */
export function cpcvPathCount(groups: number, testGroups: number): number {
  return (combinations(groups, testGroups).length * testGroups) / groups;
}

/** Every k-subset of 0..n-1, in lexicographic order. */
export function combinations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const pick = (from: number, chosen: number[]) => {
    if (chosen.length === k) return void out.push([...chosen]);
    for (let i = from; i <= n - (k - chosen.length); i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return out;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
}
