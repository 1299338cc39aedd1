/**
 * The standard normal distribution to double precision. Φ(x) near the centre by Marsaglia's
 * series (2004), whose absolute error is a few ulps; in the tails, where relative accuracy is
 * what matters (deep out-of-the-money prices), by the Laplace continued fraction for Mills'
 * ratio, evaluated with the modified Lentz algorithm.
 */
const LOG_SQRT_2PI = 0.91893853320467274178;

export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x - LOG_SQRT_2PI);
}

export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < -3) return upperTail(-x);
  if (x > 3) return 1 - upperTail(x);
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
