import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeFeatureSet, crossSectional, featureSetSchema } from '../../src/features/feature-set.js';
import { amihud, highLowRange, volumeZscore } from '../../src/features/microstructure.js';
import { barsFromRows } from '../helpers/random-bars.js';

const SET = featureSetSchema.parse({
  name: 'pit',
  version: 1,
  features: [
    { name: 'ret', kind: 'return_log', horizon: 1 },
    { name: 'rsi', kind: 'rsi', window: 3 },
    { name: 'bb', kind: 'bollinger', window: 4, k: 2 },
    { name: 'macd', kind: 'macd', fast: 2, slow: 4, signal: 2 },
    { name: 'vgk', kind: 'vol_garman_klass', window: 3 },
    { name: 'amihud', kind: 'amihud', window: 3 },
    { name: 'vz', kind: 'volume_zscore', window: 3 },
    { name: 'regime', kind: 'volatility_regime', window: 3, lookback: 4 },
    { name: 'trend', kind: 'trend_regime', window: 3 },
    { name: 'dd', kind: 'drawdown_state' },
  ],
});

const bar = fc.record({
  o: fc.double({ min: 1, max: 500, noNaN: true }),
  spread: fc.double({ min: 0, max: 0.05, noNaN: true }),
  move: fc.double({ min: -0.08, max: 0.08, noNaN: true }),
  v: fc.integer({ min: 1, max: 1e6 }),
});
type Bar = { o: number; spread: number; move: number; v: number };
const series = (rows: Bar[]) => barsFromRows(rows);

describe('feature sets', () => {
  it.each([0, 1])(
    'point in time for a whole set (lag %i): data after t changes nothing at or before t + lag',
    (lag) => {
      const set = { ...SET, lag };
      fc.assert(
        fc.property(
          fc.array(bar, { minLength: 10, maxLength: 30 }),
          fc.array(bar, { minLength: 1, maxLength: 30 }),
          fc.nat(),
          (rows, future, cut) => {
            const t = cut % rows.length;
            const base = computeFeatureSet(set, series(rows));
            const changed = computeFeatureSet(
              set,
              series([
                ...rows.slice(0, t + 1),
                ...future.slice(0, rows.length - t - 1),
                ...rows.slice(t + 1 + future.length),
              ]),
            );
            const upto = Math.min(rows.length, t + 1 + lag);
            for (let k = 0; k < base.values.length; k++)
              expect(changed.values[k]!.slice(0, upto)).toEqual(base.values[k]!.slice(0, upto));
          },
        ),
        { numRuns: 60 },
      );
    },
  );

  it('a lag shifts every column by whole bars', () => {
    const rows = Array.from({ length: 12 }, (_, i) => ({
      o: 100 + i,
      spread: 0.01,
      move: 0.01 * Math.sin(i),
      v: 1000 + i,
    }));
    const plain = computeFeatureSet(SET, series(rows));
    const lagged = computeFeatureSet({ ...SET, lag: 1 }, series(rows));
    for (let k = 0; k < plain.values.length; k++)
      expect(lagged.values[k]!.slice(1)).toEqual(plain.values[k]!.slice(0, -1));
  });

  it('cross-sectional rank, z-score and demeaning are per date, across the symbols present', () => {
    const set = featureSetSchema.parse({
      name: 'xs',
      version: 1,
      features: [
        { name: 'r', kind: 'return_simple' },
        { name: 'rank', kind: 'cs_rank', of: 'r' },
        { name: 'z', kind: 'cs_zscore', of: 'r' },
        { name: 'dm', kind: 'cs_demean', of: 'r' },
      ],
    });
    const rows = [
      { date: 'd1', r: 0.01 },
      { date: 'd1', r: 0.03 },
      { date: 'd1', r: 0.02 },
      { date: 'd2', r: Number.NaN },
      { date: 'd2', r: 0.05 },
    ];
    const [rank, z, dm] = crossSectional(
      set,
      rows.map((r) => r.date),
      () => rows.map((r) => r.r),
    );
    expect(rank!.slice(0, 3)).toEqual([0, 1, 0.5]);
    expect(dm![0]).toBeCloseTo(-0.01, 12);
    expect(z![1]).toBeCloseTo(Math.sqrt(1.5), 12);
    expect(Number.isNaN(rank![3]!)).toBe(true);
    expect(rank![4]).toBe(0.5);
    expect(() =>
      featureSetSchema.parse({ name: 'bad', version: 1, features: [{ name: 'x', kind: 'cs_rank', of: 'nope' }] }),
    ).toThrow(/'nope' is not a per-symbol column/);
  });

  it('microstructure: Amihud illiquidity, volume z-score, high-low range', () => {
    const close = [10, 11, 10, 12, 12];
    const volume = [100, 200, 100, 300, 100];
    const a = amihud(close, volume, 2);
    const r = (i: number) => (1e6 * Math.abs(Math.log(close[i]! / close[i - 1]!))) / (close[i]! * volume[i]!);
    expect(a[2]).toBeCloseTo((r(1) + r(2)) / 2, 12);
    expect(Number.isNaN(a[1]!)).toBe(true);
    expect(volumeZscore(volume, 3)[3]).toBeCloseTo(
      (300 - 400 / 3) / Math.sqrt(((100 - 400 / 3) ** 2 + (200 - 400 / 3) ** 2 + (100 - 400 / 3) ** 2) / 2),
      12,
    );
    expect(highLowRange([11], [9], [10])).toEqual([0.2]);
  });
});
