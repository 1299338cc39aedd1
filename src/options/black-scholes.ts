import { normalCdf, normalPdf } from '../math/normal.js';

export type OptionType = 'call' | 'put';

/** A European option under Black-Scholes-Merton with a continuous dividend yield. */
export interface BsmInputs {
  type: OptionType;
  spot: number;
  strike: number;
  /** Years to expiry (Actual/365 Fixed: days / 365). */
  t: number;
  /** Continuously compounded rate and dividend yield. */
  rate: number;
  divYield: number;
  vol: number;
}

/** Price and Greeks in QuantLib's units: vega and rho per 1.00 change, theta per year. */
export interface BsmResult {
  price: number;
  delta: number;
  gamma: number;
  vega: number;
  theta: number;
  rho: number;
}

export function blackScholes(o: BsmInputs): BsmResult {
  const { spot: s, strike: k, t, rate: r, divYield: q, vol } = o;
  if (!(s > 0 && k > 0 && t > 0 && vol > 0)) throw new RangeError('spot, strike, time and volatility must be positive');
  const sqrtT = Math.sqrt(t);
  const sd = vol * sqrtT;
  const d1 = (Math.log(s / k) + (r - q) * t) / sd + 0.5 * sd;
  const d2 = d1 - sd;
  const dq = Math.exp(-q * t);
  const dr = Math.exp(-r * t);
  const pdf = normalPdf(d1);
  const call = o.type === 'call';
  const sign = call ? 1 : -1;
  const nd1 = normalCdf(sign * d1);
  const nd2 = normalCdf(sign * d2);
  const price = sign * (s * dq * nd1 - k * dr * nd2);
  const gamma = (dq * pdf) / (s * sd);
  const vega = s * dq * pdf * sqrtT;
  const theta = -(s * dq * pdf * vol) / (2 * sqrtT) + sign * (q * s * dq * nd1 - r * k * dr * nd2);
  return { price, delta: sign * dq * nd1, gamma, vega, theta, rho: sign * k * t * dr * nd2 };
}
