import { z } from 'zod';
import { blackScholes } from '../../options/black-scholes.js';
import { dayOfIso, isoOf, nthWeekday, yearOf, type IsoDate } from '../calendar/civil-date.js';
import { exchangeCalendar } from '../calendar/exchange-calendar.js';

/**
 * SYNTHETIC option chains over a real underlying: there is no real options data in the
 * sample, so chains are generated from stated parameters, deterministically from a seed, and
 * every row says `source = synthetic`. Prices are Black-Scholes-Merton at the model's
 * volatility, which is also reported as the vendor IV:
 *
 *   sigma(k, T) = max(floor, atm * (1 + term_slope * (sqrt(T) - sqrt(1/12))) + skew * k + smile * k^2)
 *
 * with k = ln(K / F) the log-moneyness against the forward F = S exp((r - q) T), T in years
 * (calendar days / 365). A chain for date t uses only the close of t.
 */
export const syntheticChainParamsSchema = z
  .object({
    seed: z.number().int(),
    /** The next N monthly expiries: third Fridays, or the session before when that is a holiday. */
    expiries: z.number().int().min(1).max(24).default(4),
    moneyness: z.object({ min: z.number().positive(), max: z.number().positive(), step: z.number().positive() }).strict().default({ min: 0.8, max: 1.2, step: 0.05 }),
    strike_increment: z.number().positive().default(5),
    rate: z.number().default(0.02),
    div_yield: z.number().default(0.015),
    vol: z
      .object({ atm: z.number().positive(), skew: z.number(), smile: z.number(), term_slope: z.number(), floor: z.number().positive() })
      .strict()
      .default({ atm: 0.2, skew: -0.2, smile: 0.5, term_slope: 0.1, floor: 0.05 }),
    spread: z.object({ min: z.number().nonnegative(), relative: z.number().nonnegative() }).strict().default({ min: 0.05, relative: 0.02 }),
    open_interest: z.object({ atm: z.number().positive(), decay: z.number().nonnegative() }).strict().default({ atm: 5000, decay: 20 }),
    volume_ratio: z.number().nonnegative().default(0.1),
  })
  .strict();

export type SyntheticChainParams = z.infer<typeof syntheticChainParamsSchema>;

export interface ChainRow {
  date: string;
  underlying: string;
  expiry: string;
  strike: number;
  right: 'C' | 'P';
  bid: number;
  ask: number;
  last: number | null;
  volume: number;
  open_interest: number;
  vendor_iv: number;
  source: 'synthetic';
}

export const CHAIN_HEADER = ['date', 'underlying', 'expiry', 'strike', 'right', 'bid', 'ask', 'last', 'volume', 'open_interest', 'vendor_iv', 'source'] as const;

/** mulberry32: small and seeded; enough to scatter open interest and volume. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Monthly expiries after `date`: the third Friday, moved to the previous session if closed. */
export function monthlyExpiries(date: string, count: number): string[] {
  const calendar = exchangeCalendar('XNYS');
  const day = dayOfIso(date);
  const out: string[] = [];
  let year = yearOf(day);
  let month = Number(date.slice(5, 7));
  while (out.length < count) {
    let expiry = nthWeekday(year, month, 5, 3);
    while (!calendar.isSession(isoOf(expiry) as IsoDate)) expiry -= 1;
    if (expiry > day) out.push(isoOf(expiry));
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return out;
}

export function modelVol(p: SyntheticChainParams, k: number, t: number): number {
  const v = p.vol;
  return Math.max(v.floor, v.atm * (1 + v.term_slope * (Math.sqrt(t) - Math.sqrt(1 / 12))) + v.skew * k + v.smile * k * k);
}

const cents = (x: number) => Math.round(x * 100) / 100;

/** Chains for each (date, close) of the underlying, in date, expiry, strike, right order. */
export function generateOptionChains(underlying: string, closes: readonly { date: string; close: number }[], params: SyntheticChainParams): ChainRow[] {
  const rand = prng(params.seed);
  const rows: ChainRow[] = [];
  for (const { date, close } of closes) {
    for (const expiry of monthlyExpiries(date, params.expiries)) {
      const t = (dayOfIso(expiry) - dayOfIso(date)) / 365;
      const forward = close * Math.exp((params.rate - params.div_yield) * t);
      const strikes = new Set<number>();
      for (let m = params.moneyness.min; m <= params.moneyness.max + 1e-9; m += params.moneyness.step) {
        strikes.add(Math.round((close * m) / params.strike_increment) * params.strike_increment);
      }
      for (const strike of [...strikes].filter((s) => s > 0).sort((a, b) => a - b)) {
        const k = Math.log(strike / forward);
        const vol = modelVol(params, k, t);
        const openInterestBase = params.open_interest.atm * Math.exp(-params.open_interest.decay * k * k);
        for (const right of ['C', 'P'] as const) {
          const { price } = blackScholes({ type: right === 'C' ? 'call' : 'put', spot: close, strike, t, rate: params.rate, divYield: params.div_yield, vol });
          const half = Math.max(params.spread.min, params.spread.relative * price) / 2;
          const openInterest = Math.round(openInterestBase * (0.5 + rand()));
          const volume = Math.round(openInterest * params.volume_ratio * rand());
          rows.push({
            date,
            underlying,
            expiry,
            strike,
            right,
            bid: Math.max(0, cents(price - half)),
            ask: cents(price + half),
            last: volume > 0 ? cents(price) : null,
            volume,
            open_interest: openInterest,
            vendor_iv: Math.round(vol * 1e8) / 1e8,
            source: 'synthetic',
          });
        }
      }
    }
  }
  return rows;
}

export function chainRowsToCsv(rows: readonly ChainRow[]): string {
  const lines = rows.map((r) => CHAIN_HEADER.map((c) => (r[c] === null ? '' : String(r[c]))).join(','));
  return `${CHAIN_HEADER.join(',')}\n${lines.join('\n')}${lines.length ? '\n' : ''}`;
}


