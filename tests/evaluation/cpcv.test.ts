import { describe, expect, it } from 'vitest';
import { cpcvOfSelection } from '../../src/evaluation/cpcv.js';
import { SeededRandom } from '../../src/math/seeded-random.js';
import { sharpeOfReturns } from '../../src/math/statistics.js';

function returnsOf(N: number, T: number, seed: number, drift: (n: number) => number = () => 0): Float64Array[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: N }, (_, n) => Float64Array.from({ length: T }, () => drift(n) + 0.01 * random.normal()));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('combinatorial purged CV of a selection rule', () => {
  it('C(G, k) splits make C(G-1, k-1) complete paths; with one configuration every path is its whole record', () => {
    const [only] = returnsOf(1, 600, 3);
    const r = cpcvOfSelection([only!], { groups: 6, testGroups: 2, horizon: 2, embargo: 0.01 });
    expect(r.splits).toBe(15);
    expect(r.paths).toBe(5);
    for (const s of r.path_sharpe) expect(s).toBeCloseTo(sharpeOfReturns(only!, 252), 12);
    expect(cpcvOfSelection([only!], { groups: 10, testGroups: 2, horizon: 1, embargo: 0 }).paths).toBe(9);
  });

  it('picking the best of noise earns nothing out of sample; a real signal is picked and keeps earning', () => {
    // One sample's noise has its own lucky configuration; over independent samples the paths average near zero.
    const medians = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) =>
      median(
        cpcvOfSelection(returnsOf(30, 1200, seed), { groups: 6, testGroups: 2, horizon: 2, embargo: 0.01 }).path_sharpe,
      ),
    );
    expect(Math.abs(medians.reduce((a, m) => a + m, 0) / medians.length)).toBeLessThan(0.35);
    const signal = cpcvOfSelection(
      returnsOf(30, 1200, 5, (n) => (n === 7 ? 0.0015 : 0)),
      {
        groups: 6,
        testGroups: 2,
        horizon: 2,
        embargo: 0.01,
      },
    );
    expect(Math.min(...signal.path_sharpe)).toBeGreaterThan(1);
  });
});
