import { blackScholes, type BsmInputs } from './black-scholes.js';

export type ImpliedVolResult = { ok: true; vol: number; iterations: number } | { ok: false; reason: string };

const MIN_VOL = 1e-6;
const MAX_VOL = 10;
/** Below this vega (per 1.00 vol) the price no longer pins the volatility down: say so rather than guess. */
export const MIN_RECOVERABLE_VEGA = 1e-3;

/**
 * The volatility at which Black-Scholes-Merton gives `price`: Newton's method kept inside a
 * bracket that bisection shrinks whenever a Newton step would leave it, so it always converges
 * when a root exists. A price outside the no-arbitrage bounds, or one insensitive to volatility,
 * is reported as such, never answered with a wrong number.
 */
export function impliedVol(option: Omit<BsmInputs, 'vol'>, price: number): ImpliedVolResult {
  const { spot: s, strike: k, t, rate: r, divYield: q } = option;
  if (!(price > 0) || !Number.isFinite(price)) return { ok: false, reason: `price ${price} is not positive` };
  const fwdS = s * Math.exp(-q * t);
  const pvK = k * Math.exp(-r * t);
  const lower = option.type === 'call' ? Math.max(0, fwdS - pvK) : Math.max(0, pvK - fwdS);
  const upper = option.type === 'call' ? fwdS : pvK;
  if (price <= lower) return { ok: false, reason: `price ${price} is at or below the no-arbitrage floor ${lower}` };
  if (price >= upper) return { ok: false, reason: `price ${price} is at or above the no-arbitrage cap ${upper}` };
  const f = (vol: number) => blackScholes({ ...option, vol });
  let lo = MIN_VOL;
  let hi = MAX_VOL;
  if (f(hi).price < price) return { ok: false, reason: `price ${price} needs a volatility above ${MAX_VOL}` };
  if (f(lo).price > price) return { ok: false, reason: `price ${price} needs a volatility below ${MIN_VOL}` };
  // Start where the option is most sensitive: the vol that makes the forward at-the-money.
  let vol = Math.min(MAX_VOL / 2, Math.max(0.05, Math.sqrt((2 * Math.abs(Math.log(fwdS / pvK))) / t) || 0.3));
  for (let i = 1; i <= 200; i++) {
    const { price: p, vega } = f(vol);
    const diff = p - price;
    if (diff > 0) hi = vol;
    else lo = vol;
    if (Math.abs(diff) <= 1e-14 * Math.max(1, price) || hi - lo < 1e-15) {
      if (vega < MIN_RECOVERABLE_VEGA)
        return {
          ok: false,
          reason: `the price is insensitive to volatility here (vega ${vega.toExponential(2)} < ${MIN_RECOVERABLE_VEGA})`,
        };
      return { ok: true, vol, iterations: i };
    }
    const newton = vol - diff / vega;
    vol = vega > 0 && newton > lo && newton < hi ? newton : 0.5 * (lo + hi);
  }
  return { ok: false, reason: 'no convergence in 200 iterations' };
}
