/**
 * The turbulence index (Kritzman and Li, 2010; the index FinRL's turbulence threshold reads):
 * on day t, the Mahalanobis distance of the assets' returns that day from their mean over the
 * previous `lookback` days, under those days' covariance: (y_t - mu) S^-1 (y_t - mu)'. It uses
 * returns up to and including day t, so it is known at t's close. NaN until `lookback` days of
 * returns precede t, and on days where an asset has no return (a missing close).
 *
 * closes[asset][t]; the covariance is the sample one (n - 1), inverted by Cholesky (with a
 * vanishing ridge only if rounding leaves it not quite positive definite).
 */
export function turbulenceIndex(closes: readonly Float64Array[], lookback: number): Float64Array {
  const D = closes.length;
  const T = closes[0]?.length ?? 0;
  const out = new Float64Array(T).fill(Number.NaN);
  if (!Number.isInteger(lookback) || lookback <= D)
    throw new Error(`turbulence needs a lookback longer than the number of assets (${D}), got ${lookback}`);
  const r = closes.map((c) =>
    Float64Array.from({ length: T }, (_, t) => (t === 0 ? Number.NaN : c[t]! / c[t - 1]! - 1)),
  );
  const mean = new Float64Array(D);
  const cov = new Float64Array(D * D);
  const y = new Float64Array(D);
  for (let t = lookback + 1; t < T; t++) {
    let complete = true;
    for (let i = 0; i < D && complete; i++)
      for (let k = t - lookback; k <= t; k++) if (Number.isNaN(r[i]![k]!)) complete = false;
    if (!complete) continue;
    for (let i = 0; i < D; i++) {
      let s = 0;
      for (let k = t - lookback; k < t; k++) s += r[i]![k]!;
      mean[i] = s / lookback;
    }
    for (let i = 0; i < D; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = t - lookback; k < t; k++) s += (r[i]![k]! - mean[i]!) * (r[j]![k]! - mean[j]!);
        cov[i * D + j] = cov[j * D + i] = s / (lookback - 1);
      }
      y[i] = r[i]![t]! - mean[i]!;
    }
    out[t] = mahalanobisSquared(cov, y, D);
  }
  return out;
}

/** y S^-1 y' by Cholesky: S = L L', solve L z = y, return z . z. */
function mahalanobisSquared(cov: Float64Array, y: Float64Array, D: number): number {
  for (let ridge = 0; ridge < 1e-6; ridge = ridge === 0 ? 1e-14 : ridge * 100) {
    const L = new Float64Array(D * D);
    let ok = true;
    for (let i = 0; i < D && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let s = cov[i * D + j]! + (i === j ? ridge * cov[i * D + i]! : 0);
        for (let k = 0; k < j; k++) s -= L[i * D + k]! * L[j * D + k]!;
        if (i === j) {
          if (!(s > 0)) {
            ok = false;
            break;
          }
          L[i * D + i] = Math.sqrt(s);
        } else L[i * D + j] = s / L[j * D + j]!;
      }
    }
    if (!ok) continue;
    let q = 0;
    const z = new Float64Array(D);
    for (let i = 0; i < D; i++) {
      let s = y[i]!;
      for (let k = 0; k < i; k++) s -= L[i * D + k]! * z[k]!;
      z[i] = s / L[i * D + i]!;
      q += z[i]! * z[i]!;
    }
    return q;
  }
  return Number.NaN;
}
