import { blackScholes } from '../options/black-scholes.js';
import { impliedVol } from '../options/implied-vol.js';

/**
 * Volatility-surface features per underlying and day, from that day's option chain only:
 * IVX (the at-the-money implied vol at 30 days, interpolated in total variance between the
 * expiries around 30 days), 25-delta skew (put minus call implied vol at the expiry nearest 30
 * days), term slope (far minus near at-the-money vol, per year), total open interest and
 * volume, and put/call ratios of both. IV rank and percentile compare IVX with the past year.
 * Each feature has a coverage flag: 1 where the chain supported it, 0 where it did not (then
 * the value is empty, never a guess).
 */
export interface ChainQuote {
  expiry: string;
  strike: number;
  right: 'C' | 'P';
  bid: number;
  ask: number;
  volume: number;
  openInterest: number;
}

export interface SurfaceParams {
  rate: number;
  divYield: number;
  /** The target maturity of IVX, in calendar days. */
  ivxDays: number;
  /** Days of history for IV rank and percentile. */
  rankWindow: number;
  /** The share of those days that must have an IVX for a rank to be given (gaps in coverage are skipped, not filled). */
  rankMinCoverage: number;
}

export const SURFACE_COLUMNS = [
  'ivx',
  'ivx_coverage',
  'skew_25d',
  'skew_coverage',
  'term_slope',
  'term_coverage',
  'total_oi',
  'total_volume',
  'put_call_oi',
  'put_call_volume',
  'iv_rank',
  'iv_percentile',
  'rank_coverage',
] as const;

export type SurfaceRow = Record<(typeof SURFACE_COLUMNS)[number], number>;

const DAY = 86_400_000;

interface ExpiryPoint {
  t: number;
  atmVol: number;
  quotes: { strike: number; right: 'C' | 'P'; vol: number; delta: number }[];
}

/** One day's surface features (IV rank and percentile are filled by surfaceSeries). */
export function daySurface(date: string, spot: number, chain: readonly ChainQuote[], p: SurfaceParams): SurfaceRow {
  const nan = Number.NaN;
  const row = Object.fromEntries(SURFACE_COLUMNS.map((c) => [c, nan])) as SurfaceRow;
  row.total_oi = chain.reduce((a, q) => a + q.openInterest, 0);
  row.total_volume = chain.reduce((a, q) => a + q.volume, 0);
  const puts = chain.filter((q) => q.right === 'P');
  const calls = chain.filter((q) => q.right === 'C');
  const callOi = calls.reduce((a, q) => a + q.openInterest, 0);
  const callVol = calls.reduce((a, q) => a + q.volume, 0);
  row.put_call_oi = callOi > 0 ? puts.reduce((a, q) => a + q.openInterest, 0) / callOi : nan;
  row.put_call_volume = callVol > 0 ? puts.reduce((a, q) => a + q.volume, 0) / callVol : nan;
  const points: ExpiryPoint[] = [];
  for (const expiry of [...new Set(chain.map((q) => q.expiry))].sort()) {
    const t = (Date.parse(`${expiry}T00:00:00Z`) - Date.parse(`${date}T00:00:00Z`)) / DAY / 365;
    if (t <= 0) continue;
    const quotes: ExpiryPoint['quotes'] = [];
    for (const q of chain.filter((c) => c.expiry === expiry)) {
      const mid = (q.bid + q.ask) / 2;
      const option = {
        type: q.right === 'C' ? ('call' as const) : ('put' as const),
        spot,
        strike: q.strike,
        t,
        rate: p.rate,
        divYield: p.divYield,
      };
      const iv = impliedVol(option, mid);
      if (iv.ok)
        quotes.push({
          strike: q.strike,
          right: q.right,
          vol: iv.vol,
          delta: blackScholes({ ...option, vol: iv.vol }).delta,
        });
    }
    const forward = spot * Math.exp((p.rate - p.divYield) * t);
    const atm = [...quotes].sort((a, b) => Math.abs(a.strike - forward) - Math.abs(b.strike - forward));
    const nearest = atm.filter((x) => x.strike === atm[0]?.strike);
    if (nearest.length > 0) points.push({ t, atmVol: nearest.reduce((a, x) => a + x.vol, 0) / nearest.length, quotes });
  }
  const target = p.ivxDays / 365;
  const below = points.filter((x) => x.t <= target).at(-1);
  const above = points.find((x) => x.t >= target);
  if (below && above) {
    // Linear in total variance sigma^2 T between the bracketing expiries.
    const w =
      below === above
        ? below.atmVol ** 2 * below.t
        : below.atmVol ** 2 * below.t +
          ((above.atmVol ** 2 * above.t - below.atmVol ** 2 * below.t) * (target - below.t)) / (above.t - below.t);
    row.ivx = Math.sqrt(w / target);
    row.ivx_coverage = 1;
  } else row.ivx_coverage = 0;
  const skewAt = [...points].sort((a, b) => Math.abs(a.t - target) - Math.abs(b.t - target))[0];
  const put25 = skewAt?.quotes
    .filter((q) => q.right === 'P')
    .sort((a, b) => Math.abs(a.delta + 0.25) - Math.abs(b.delta + 0.25))[0];
  const call25 = skewAt?.quotes
    .filter((q) => q.right === 'C')
    .sort((a, b) => Math.abs(a.delta - 0.25) - Math.abs(b.delta - 0.25))[0];
  // Only where both quotes are reasonably near 25 delta: a far-off strike is not a 25-delta vol.
  if (put25 && call25 && Math.abs(put25.delta + 0.25) < 0.1 && Math.abs(call25.delta - 0.25) < 0.1) {
    row.skew_25d = put25.vol - call25.vol;
    row.skew_coverage = 1;
  } else row.skew_coverage = 0;
  if (points.length >= 2) {
    row.term_slope = (points.at(-1)!.atmVol - points[0]!.atmVol) / (points.at(-1)!.t - points[0]!.t);
    row.term_coverage = 1;
  } else row.term_coverage = 0;
  return row;
}

/**
 * Surface features over consecutive days, with IV rank and percentile over the IVX values of the
 * past rankWindow days (today included) that had one; given only once the window is full and at
 * least rankMinCoverage of it is covered.
 */
export function surfaceSeries(
  days: readonly { date: string; spot: number; chain: readonly ChainQuote[] }[],
  p: SurfaceParams,
): SurfaceRow[] {
  const rows = days.map((d) => daySurface(d.date, d.spot, d.chain, p));
  rows.forEach((row, i) => {
    const window = rows.slice(Math.max(0, i - p.rankWindow + 1), i + 1).map((r) => r.ivx);
    const past = window.filter((x) => !Number.isNaN(x));
    if (Number.isNaN(row.ivx) || window.length < p.rankWindow || past.length < p.rankMinCoverage * p.rankWindow) {
      row.rank_coverage = 0;
      return;
    }
    const lo = Math.min(...past);
    const hi = Math.max(...past);
    row.iv_rank = hi > lo ? (row.ivx - lo) / (hi - lo) : 0.5;
    row.iv_percentile = past.filter((x) => x <= row.ivx).length / past.length;
    row.rank_coverage = 1;
  });
  return rows;
}
