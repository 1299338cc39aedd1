/**
 * The standard normal distribution to double precision. Φ(x) near the centre (|x| <= 1.5) by
 * Marsaglia's series (2004), whose absolute error is a few ulps; beyond, where relative accuracy is
 * what matters (deep out-of-the-money prices), by the Laplace continued fraction for Mills'
 * ratio, evaluated with the modified Lentz algorithm.
 */
const LOG_SQRT_2PI = 0.9189385332046728;

export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x - LOG_SQRT_2PI);
}

export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  // From |x| = 1.5 the continued fraction converges within ~180 terms to ~1e-15 relative, where
  // the series would lose digits to the cancellation 1/2 - (...) as Φ(x) falls towards the tail.
  if (x < -1.5) return upperTail(-x);
  if (x > 1.5) return 1 - upperTail(x);
  // Φ(x) = 1/2 + φ(x) (x + x³/3 + x⁵/(3·5) + ...)
  let term = x;
  let sum = x;
  const x2 = x * x;
  for (let i = 3; sum + term !== sum || i < 10; i += 2) {
    term *= x2 / i;
    sum += term;
    if (i > 400) break;
  }
  return 0.5 + sum * normalPdf(x);
}

/** Q(x) = 1 - Φ(x) for x > 0: φ(x) / (x + 1/(x + 2/(x + 3/(x + ...)))). */
function upperTail(x: number): number {
  if (x > 40) return 0;
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    d = x + n * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + n / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return normalPdf(x) / f;
}

// Acklam's rational approximation of the normal quantile (relative error about 1e-9).
const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/**
 * Φ⁻¹(p): Acklam's approximation refined by one Halley step on Φ, to near double precision.
 * Above one half it is -Φ⁻¹(1 - p): 1 - p is exact there (Sterbenz), and the step then works on
 * the lower tail, where Φ is accurate relative to its value; computing Φ(x) - p near 1 instead
 * would lose every digit of the tail probability that p's distance from 1 does not hold.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return Number.NaN;
  }
  if (p > 0.5) return -normalQuantile(1 - p);
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) /
      ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) /
      (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1);
  }
  // Halley's step: e = Φ(x) - p, u = e / φ(x), x -= u / (1 + x u / 2).
  const e = normalCdf(x) - p;
  const u = e / normalPdf(x);
  return x - u / (1 + (x * u) / 2);
}
