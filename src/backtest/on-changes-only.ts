/**
 * Keeps a weight only on the bars where it differs from the strategy's previous decision (NaN
 * elsewhere: hold). A strategy read this way trades on its signal's changes, not on every bar's
 * drift back to target, and a stop-loss exit stays flat until the signal changes again.
 */
export function onChangesOnly(weights: readonly Float64Array[]): Float64Array[] {
  return weights.map((w) => {
    const out = new Float64Array(w.length).fill(Number.NaN);
    let last = Number.NaN;
    for (let t = 0; t < w.length; t++) {
      if (Number.isNaN(w[t]!)) continue;
      if (w[t] !== last) out[t] = w[t]!;
      last = w[t]!;
    }
    return out;
  });
}
