import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateOptionChains, modelVol, syntheticChainParamsSchema } from '../../src/data/synthetic/option-chains.js';
import { surfaceSeries, type ChainQuote } from '../../src/features/options-surface.js';
import { coverageShortfalls, selectedColumns } from '../../src/features/surface-selection.js';

const params = syntheticChainParamsSchema.parse({
  seed: 1,
  expiries: 4,
  moneyness: { min: 0.8, max: 1.2, step: 0.025 },
  spread: { min: 0.02, relative: 0.002 },
  vol: { atm: 0.2, skew: -0.3, smile: 0.8, term_slope: 0.2, floor: 0.05 },
});
const surfaceParams = { rate: params.rate, divYield: params.div_yield, ivxDays: 30, rankWindow: 3, rankMinCoverage: 1 };

function days(closes: { date: string; close: number }[]) {
  const rows = generateOptionChains('SPX', closes, params);
  return closes.map(({ date, close }) => ({
    date,
    spot: close,
    chain: rows
      .filter((r) => r.date === date)
      .map((r): ChainQuote => ({
        expiry: r.expiry,
        strike: r.strike,
        right: r.right,
        bid: r.bid,
        ask: r.ask,
        volume: r.volume,
        openInterest: r.open_interest,
      })),
  }));
}

const closes = [
  { date: '2024-03-01', close: 5137.08 },
  { date: '2024-03-04', close: 5130.95 },
  { date: '2024-03-05', close: 5078.65 },
  { date: '2024-03-06', close: 5104.76 },
];

describe('volatility surface features', () => {
  it('IVX recovers the model at-the-money vol at 30 days; skew and term slope have the model signs', () => {
    const [s] = surfaceSeries(days(closes.slice(0, 1)), surfaceParams);
    // The generator's ATM vol at 30 days (k = 0): atm * (1 + term_slope * (sqrt(30/365) - sqrt(1/12))).
    expect(s!.ivx_coverage).toBe(1);
    expect(Math.abs(s!.ivx - modelVol(params, 0, 30 / 365))).toBeLessThan(0.01);
    expect(s!.skew_coverage).toBe(1);
    expect(s!.skew_25d).toBeGreaterThan(0); // negative skew parameter: puts richer than calls
    expect(s!.term_coverage).toBe(1);
    expect(s!.term_slope).toBeGreaterThan(0);
    expect(s!.total_oi).toBeGreaterThan(0);
    expect(s!.put_call_oi).toBeGreaterThan(0);
    expect(s!.rank_coverage).toBe(0); // not enough history yet
  });

  it('IV rank and percentile appear once the window is full, and a thin chain flags, not guesses', () => {
    const rows = surfaceSeries(days(closes), surfaceParams);
    expect(rows.map((r) => r.rank_coverage)).toEqual([0, 0, 1, 1]);
    expect(rows[3]!.iv_percentile).toBeGreaterThan(0);
    // A day without IVX inside the window is skipped when the coverage asked for allows it.
    const gap = days(closes);
    gap[1] = { ...gap[1]!, chain: [] };
    expect(surfaceSeries(gap, surfaceParams).map((r) => r.rank_coverage)).toEqual([0, 0, 0, 0]);
    const lenient = surfaceSeries(gap, { ...surfaceParams, rankMinCoverage: 0.6 });
    expect(lenient.map((r) => r.rank_coverage)).toEqual([0, 0, 1, 1]);
    // Day 3's window is days 1..3; day 1 had no IVX, so the rank is over days 2 and 3 alone.
    const ivx = [lenient[2]!.ivx, lenient[3]!.ivx];
    expect(lenient[3]!.iv_rank).toBeCloseTo((ivx[1]! - Math.min(...ivx)) / (Math.max(...ivx) - Math.min(...ivx)), 12);
    expect(lenient[3]!.iv_percentile).toBeCloseTo(ivx.filter((x) => x <= ivx[1]!).length / 2, 12);
    const thin = surfaceSeries(
      [
        {
          date: '2024-03-01',
          spot: 5137,
          chain: [{ expiry: '2024-03-15', strike: 5100, right: 'C', bid: 60, ask: 61, volume: 1, openInterest: 5 }],
        },
      ],
      surfaceParams,
    );
    expect(thin[0]).toMatchObject({ ivx_coverage: 0, skew_coverage: 0, term_coverage: 0 });
    expect(Number.isNaN(thin[0]!.ivx)).toBe(true);
  });

  it('point in time: later chains change nothing on earlier days', () => {
    const base = surfaceSeries(days(closes), surfaceParams);
    fc.assert(
      fc.property(fc.double({ min: 3000, max: 7000, noNaN: true }), (close) => {
        const changed = surfaceSeries(days([...closes.slice(0, 3), { date: '2024-03-06', close }]), surfaceParams);
        expect(changed.slice(0, 3)).toEqual(base.slice(0, 3));
      }),
      { numRuns: 5 },
    );
  });

  it('a set publishes the features it names with their coverage flags, and measures coverage after the rank warm-up', () => {
    expect(selectedColumns(['iv_percentile', 'ivx', 'total_oi'])).toEqual([
      'ivx',
      'ivx_coverage',
      'total_oi',
      'iv_percentile',
      'rank_coverage',
    ]);
    const rows = surfaceSeries(days(closes), surfaceParams);
    expect(coverageShortfalls(rows, ['ivx', 'iv_rank'], 1, 3)).toEqual([]); // rank counted over days 2..3 only
    const gap = days(closes);
    gap[2] = { ...gap[2]!, chain: [] };
    const short = coverageShortfalls(surfaceSeries(gap, surfaceParams), ['ivx', 'total_oi'], 0.9, 3);
    expect(short).toEqual([{ feature: 'ivx', coverage: 0.75 }]);
  });
});
