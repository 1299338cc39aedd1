import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blackScholes } from '../../src/options/black-scholes.js';
import { normalCdf } from '../../src/math/normal.js';
import { REPO_ROOT } from '../helpers/workspace.js';

/** QuantLib 1.29 AnalyticEuropeanEngine values (tests/fixtures/reference/README.md). */
function reference() {
  const [header, ...lines] = readFileSync(
    join(REPO_ROOT, 'tests', 'fixtures', 'reference', 'options_bsm_quantlib.csv'),
    'utf8',
  )
    .trim()
    .split(/\r?\n/);
  const cols = header!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])) as Record<string, string>);
}

/** The reference's tolerance: relative 1e-9, absolute 1e-12 near zero. */
function close(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= Math.max(1e-12, 1e-9 * Math.abs(expected));
}

describe('Black-Scholes-Merton', () => {
  const rows = reference();

  it('has 400 reference rows', () => expect(rows).toHaveLength(400));

  it.each(['price', 'delta', 'gamma', 'vega', 'theta', 'rho'] as const)(
    'matches QuantLib %s on every row to 1e-9',
    (field) => {
      const misses: string[] = [];
      for (const row of rows) {
        const r = blackScholes({
          type: row.type as 'call' | 'put',
          spot: Number(row.spot),
          strike: Number(row.strike),
          t: Number(row.days) / 365,
          rate: Number(row.rate),
          divYield: Number(row.div_yield),
          vol: Number(row.vol),
        });
        if (!close(r[field], Number(row[field]))) misses.push(`${JSON.stringify(row)} -> ${r[field]}`);
      }
      expect(misses).toEqual([]);
    },
  );

  it('computes the normal CDF to double precision in the centre and the tails', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 15);
    expect(Math.abs(normalCdf(-8) / 6.22096057427178e-16 - 1)).toBeLessThan(1e-12);
    expect(Math.abs(normalCdf(-3.5) / 2.32629079035525e-4 - 1)).toBeLessThan(1e-13);
    expect(normalCdf(-37)).toBeGreaterThan(0);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(50)).toBe(1);
    expect(normalCdf(Number.NaN)).toBeNaN();
    expect(() => blackScholes({ type: 'call', spot: 1, strike: 1, t: 0, rate: 0, divYield: 0, vol: 0.2 })).toThrow(
      RangeError,
    );
  });
});

describe('implied volatility', () => {
  const rows = reference();
  it('recovers QuantLib implied vols to 1e-8, and says so where vol cannot be recovered', async () => {
    const { impliedVol } = await import('../../src/options/implied-vol.js');
    const misses: string[] = [];
    let recovered = 0;
    let refused = 0;
    for (const row of rows) {
      const option = {
        type: row.type as 'call' | 'put',
        spot: Number(row.spot),
        strike: Number(row.strike),
        t: Number(row.days) / 365,
        rate: Number(row.rate),
        divYield: Number(row.div_yield),
      };
      // QuantLib inverted its own full-precision price (the file's is rounded to 10 digits); so do we.
      const r = impliedVol(option, blackScholes({ ...option, vol: Number(row.vol) }).price);
      if (row.implied_vol_from_price === '') {
        if (r.ok) misses.push(`expected no vol for ${JSON.stringify(row)}, got ${r.vol}`);
        refused += 1;
      } else {
        const e = Number(row.implied_vol_from_price);
        if (!r.ok || Math.abs(r.vol - e) > 1e-8 * e)
          misses.push(`${JSON.stringify(row)} -> ${r.ok ? r.vol : r.reason}`);
        recovered += 1;
      }
    }
    expect(misses).toEqual([]);
    expect(recovered).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(0);
  });

  it('refuses prices outside the no-arbitrage bounds', async () => {
    const { impliedVol } = await import('../../src/options/implied-vol.js');
    const option = { type: 'call' as const, spot: 100, strike: 90, t: 0.5, rate: 0.01, divYield: 0 };
    expect(impliedVol(option, 5)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/below the no-arbitrage floor/),
    });
    expect(impliedVol(option, 150)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/above the no-arbitrage cap/),
    });
    expect(impliedVol(option, -1)).toMatchObject({ ok: false });
    const r = impliedVol(option, blackScholes({ ...option, vol: 0.37 }).price);
    expect(r.ok && Math.abs(r.vol - 0.37)).toBeLessThan(1e-12);
  });
});
