import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hitStrikeLabels, type HitStrikeBar } from '../../src/features/hit-strike.js';

const bar = (date: string, close: number, high = close, low = close, split_factor = 1): HitStrikeBar => ({
  date,
  high,
  low,
  close,
  split_factor,
});

const bars = [
  bar('2024-03-01', 100),
  bar('2024-03-04', 101, 103, 99),
  bar('2024-03-05', 102, 106, 100),
  bar('2024-03-06', 98, 102, 95),
  bar('2024-03-07', 99, 100, 97),
];

describe('hit-strike labels', () => {
  it('an upside strike is hit by a later high, a downside strike by a later low; t1 is the touch or the last session to expiry', () => {
    const l = hitStrikeLabels(bars, [
      { date: '2024-03-01', expiry: '2024-03-07', strike: 105 }, // high 106 on the second session after t
      { date: '2024-03-01', expiry: '2024-03-07', strike: 96 }, // low 95 on 03-06
      { date: '2024-03-01', expiry: '2024-03-04', strike: 105 }, // expires before the touch
      { date: '2024-03-05', expiry: '2024-03-07', strike: 107 }, // day t's own high (106) does not count, and none later
    ]);
    expect(l[0]).toEqual({ hit: 1, t1: '2024-03-05', sessionsToHit: 2 });
    expect(l[1]).toEqual({ hit: 1, t1: '2024-03-06', sessionsToHit: 3 });
    expect(l[2]).toEqual({ hit: 0, t1: '2024-03-04', sessionsToHit: Number.NaN });
    expect(l[3]).toEqual({ hit: 0, t1: '2024-03-07', sessionsToHit: Number.NaN });
  });

  it('is unresolved, not 0, while expiry lies past the last bar; a quote on a day without a bar is an error', () => {
    const [l] = hitStrikeLabels(bars, [{ date: '2024-03-04', expiry: '2024-03-15', strike: 200 }]);
    expect(Number.isNaN(l!.hit)).toBe(true);
    expect(l!.t1).toBe('');
    expect(() => hitStrikeLabels(bars, [{ date: '2024-03-02', expiry: '2024-03-07', strike: 100 }])).toThrow(
      /quoted on 2024-03-02, a day with no bar/,
    );
  });

  it('compares prices in day t units across a 2-for-1 split, as the exchange adjusts the strike', () => {
    // Raw 200 before the split (factor 0.5), 101 after: 202 in pre-split units, so a 201 strike is hit.
    const split = [bar('2024-03-01', 200, 200, 200, 0.5), bar('2024-03-04', 101, 101, 100, 1)];
    const [l] = hitStrikeLabels(split, [{ date: '2024-03-01', expiry: '2024-03-04', strike: 201 }]);
    expect(l!.hit).toBe(1);
    const [naive] = hitStrikeLabels(
      split.map((b) => ({ ...b, split_factor: 1 })),
      [{ date: '2024-03-01', expiry: '2024-03-04', strike: 201 }],
    );
    expect(naive!.hit).toBe(0); // without the adjustment the split would look like a crash
  });

  it('reads nothing after expiry: perturbing later bars changes no label', () => {
    const contracts = [
      { date: '2024-03-01', expiry: '2024-03-05', strike: 104 },
      { date: '2024-03-04', expiry: '2024-03-05', strike: 99.5 },
    ];
    const base = hitStrikeLabels(bars, contracts);
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1, max: 1000, noNaN: true }), { minLength: 2, maxLength: 2 }), ([a, b]) => {
        const changed = [
          ...bars.slice(0, 3),
          bar('2024-03-06', a!, a! * 1.1, a! * 0.9),
          bar('2024-03-07', b!, b! * 1.1, b! * 0.9),
        ];
        expect(hitStrikeLabels(changed, contracts)).toEqual(base);
      }),
      { numRuns: 50 },
    );
  });
});
