/**
 * Ordinary least squares of y on x (with an intercept) over a trailing window: the fit at t uses
 * the pairs at t - window + 1 .. t and nothing later, so a value for bar t is knowable at its
 * close. NaN where the window is not full, holds a NaN, or x does not vary in it.
 */
export interface RollingFit {
  readonly alpha: Float64Array;
  readonly beta: Float64Array;
  /** y_t - alpha_t - beta_t x_t: the residual of bar t under the fit that includes it. */
  readonly residual: Float64Array;
  /** The sample standard deviation of the window's residuals under that fit (n - 2 degrees of freedom). */
  readonly residualStd: Float64Array;
}

export function rollingOls(y: ArrayLike<number>, x: ArrayLike<number>, window: number): RollingFit {
  if (!Number.isInteger(window) || window < 3)
    throw new Error(`rollingOls: window must be a whole number >= 3, got ${window}`);
  if (y.length !== x.length) throw new Error(`rollingOls: y has ${y.length} values and x ${x.length}`);
  const T = y.length;
  const fit = {
    alpha: new Float64Array(T).fill(Number.NaN),
    beta: new Float64Array(T).fill(Number.NaN),
    residual: new Float64Array(T).fill(Number.NaN),
    residualStd: new Float64Array(T).fill(Number.NaN),
  };
  for (let t = window - 1; t < T; t++) {
    const from = t - window + 1;
    // Two passes over the window (means, then centred sums): exact enough at price levels where
    // the one-pass sums of squares would cancel.
    let mx = 0;
    let my = 0;
    let ok = true;
    for (let i = from; i <= t; i++) {
      if (!Number.isFinite(x[i]!) || !Number.isFinite(y[i]!)) {
        ok = false;
        break;
      }
      mx += x[i]!;
      my += y[i]!;
    }
    if (!ok) continue;
    mx /= window;
    my /= window;
    let sxx = 0;
    let sxy = 0;
    for (let i = from; i <= t; i++) {
      sxx += (x[i]! - mx) ** 2;
      sxy += (x[i]! - mx) * (y[i]! - my);
    }
    if (!(sxx > 0)) continue;
    const beta = sxy / sxx;
    const alpha = my - beta * mx;
    let sse = 0;
    for (let i = from; i <= t; i++) sse += (y[i]! - alpha - beta * x[i]!) ** 2;
    fit.alpha[t] = alpha;
    fit.beta[t] = beta;
    fit.residual[t] = y[t]! - alpha - beta * x[t]!;
    fit.residualStd[t] = Math.sqrt(sse / (window - 2));
  }
  return fit;
}
