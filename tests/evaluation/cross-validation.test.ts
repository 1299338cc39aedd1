import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { combinatorialPurgedSplits, cpcvPathCount, walkForwardSplits } from '../../src/evaluation/cross-validation.js';

const day = (i: number) => `2024-01-${String(i + 1).padStart(2, '0')}`;

describe('validation splits', () => {
  it('walk-forward: rolling and expanding windows, a purge gap, nothing past the end', () => {
    expect(walkForwardSplits(10, { train: 4, test: 2 })).toEqual([
      { train: [0, 1, 2, 3], test: [4, 5] },
      { train: [2, 3, 4, 5], test: [6, 7] },
      { train: [4, 5, 6, 7], test: [8, 9] },
    ]);
    const expanding = walkForwardSplits(10, { train: 4, test: 2, step: 3, expanding: true, purge: 1 });
    expect(expanding).toEqual([
      { train: [0, 1, 2, 3], test: [5, 6] },
      { train: [0, 1, 2, 3, 4, 5, 6], test: [8, 9] },
    ]);
  });

  it('purged CV: labels spanning two days purge the two observations before each test block, the embargo the ones after', () => {
    // 10 daily observations, each label ends two days later (capped at the last day).
    const times = Array.from({ length: 10 }, (_, i) => day(i));
    const t1 = times.map((_, i) => day(Math.min(9, i + 2)));
    const splits = combinatorialPurgedSplits(times, t1, { groups: 5, testGroups: 1, embargo: 0.1 });
    expect(splits).toHaveLength(5);
    // Test block {4, 5} (days 5-6, labels to day 8): 2 and 3 end inside it (purged), 6 and 7 start
    // inside its label span (purged), and the embargo of ceil(0.1 x 10) = 1 is already inside that.
    expect(splits[2]).toEqual({ test: [4, 5], train: [0, 1, 8, 9] });
    expect(splits[0]).toEqual({ test: [0, 1], train: [4, 5, 6, 7, 8, 9] }); // 2, 3 overlap block 0's labels
    const noEmbargo = combinatorialPurgedSplits(times, times, { groups: 5, testGroups: 1, embargo: 0 });
    expect(noEmbargo[2]).toEqual({ test: [4, 5], train: [0, 1, 2, 3, 6, 7, 8, 9] }); // point labels: nothing to purge
    const embargoed = combinatorialPurgedSplits(times, times, { groups: 5, testGroups: 1, embargo: 0.2 });
    expect(embargoed[2]!.train).toEqual([0, 1, 2, 3, 8, 9]); // the two observations after the block
    expect(combinatorialPurgedSplits(times, t1, { groups: 5, testGroups: 2, embargo: 0 })).toHaveLength(10);
    expect(cpcvPathCount(5, 2)).toBe(4);
    expect(cpcvPathCount(6, 2)).toBe(5);
  });

  it('property: no training label interval ever overlaps a test label interval', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 8, maxLength: 40 }),
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 1, max: 2 }),
        (spans, groups, k) => {
          const n = spans.length;
          const times = spans.map((_, i) => String(i).padStart(4, '0'));
          const t1 = spans.map((s, i) => String(i + s).padStart(4, '0'));
          for (const { train, test } of combinatorialPurgedSplits(times, t1, {
            groups: Math.min(groups, n),
            testGroups: Math.min(k, Math.min(groups, n) - 1),
            embargo: 0.05,
          })) {
            for (const i of train) for (const j of test) expect(times[i]! <= t1[j]! && t1[i]! >= times[j]!).toBe(false);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('rejects inputs it cannot split honestly', () => {
    expect(() =>
      combinatorialPurgedSplits([day(0), day(1)], [day(0)], { groups: 2, testGroups: 1, embargo: 0 }),
    ).toThrow(/2 times but 1/);
    expect(() =>
      combinatorialPurgedSplits([day(1), day(0)], [day(1), day(0)], { groups: 2, testGroups: 1, embargo: 0 }),
    ).toThrow(/ascending/);
    expect(() => combinatorialPurgedSplits([day(1)], [day(0)], { groups: 2, testGroups: 1, embargo: 0 })).toThrow();
    expect(() => walkForwardSplits(10, { train: 0, test: 2 })).toThrow();
  });
});
