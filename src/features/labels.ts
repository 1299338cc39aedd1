import { z } from 'zod';
import type { Series } from './indicators.js';

/**
 * Labels look forward by design: a label for day t uses prices after t. They are kept apart
 * from features by their role (see the labels rule), and nothing that trains or backtests may
 * consume one as a feature.
 */
export const labelSchema = z.discriminatedUnion('kind', [
  z.object({ name: z.string(), kind: z.literal('forward_return'), horizon: z.number().int().min(1) }).strict(),
  z
    .object({
      name: z.string(),
      kind: z.literal('triple_barrier'),
      /** Span of the exponentially weighted volatility of daily log returns. */
      vol_span: z.number().int().min(2).default(20),
      /** Barrier distances in units of that volatility. */
      profit_take: z.number().positive().default(2),
      stop_loss: z.number().positive().default(2),
      /** The vertical barrier: at most this many bars after t. */
      max_holding: z.number().int().min(1).default(10),
    })
    .strict(),
]);

export type Label = z.infer<typeof labelSchema>;

/** log(close[t+h] / close[t]); NaN where t+h is past the data. */
export function forwardReturn(close: Series, horizon: number): number[] {
  return close.map((c, i) => (i + horizon < close.length ? Math.log(close[i + horizon]! / c) : Number.NaN));
}

/** Exponentially weighted standard deviation of log returns (alpha = 2/(span+1), no bias correction), from t's data only. */
export function ewmVol(close: Series, span: number): number[] {
  const alpha = 2 / (span + 1);
  const out = new Array<number>(close.length).fill(Number.NaN);
  let mean = 0;
  let variance = 0;
  for (let i = 1; i < close.length; i++) {
    const r = Math.log(close[i]! / close[i - 1]!);
    if (i === 1) {
      mean = r;
      variance = 0;
    } else {
      const delta = r - mean;
      mean += alpha * delta;
      variance = (1 - alpha) * (variance + alpha * delta * delta);
    }
    if (i >= span) out[i] = Math.sqrt(variance);
  }
  return out;
}

/**
 * Triple-barrier labels (Lopez de Prado): from each day t, an upper and a lower barrier at
 * ± multiples of the volatility at t, and a vertical barrier max_holding bars on; the label is
 * +1 or -1 for the horizontal barrier the close reaches first, else the sign of the return at
 * the vertical barrier (0 when flat). t1, the index of the touch, is kept for purging.
 */
export function tripleBarrier(
  close: Series,
  l: Extract<Label, { kind: 'triple_barrier' }>,
): { label: number[]; t1: number[]; ret: number[] } {
  const vol = ewmVol(close, l.vol_span);
  const n = close.length;
  const label = new Array<number>(n).fill(Number.NaN);
  const t1 = new Array<number>(n).fill(Number.NaN);
  const ret = new Array<number>(n).fill(Number.NaN);
  for (let i = 0; i < n; i++) {
    const v = vol[i]!;
    if (Number.isNaN(v) || i + l.max_holding >= n) continue;
    const up = l.profit_take * v;
    const down = -l.stop_loss * v;
    let j = i + 1;
    for (; j <= i + l.max_holding; j++) {
      const r = Math.log(close[j]! / close[i]!);
      if (r >= up || r <= down) break;
    }
    const end = Math.min(j, i + l.max_holding);
    const r = Math.log(close[end]! / close[i]!);
    label[i] = j <= i + l.max_holding ? (r >= up ? 1 : -1) : Math.sign(r);
    t1[i] = end;
    ret[i] = r;
  }
  return { label, t1, ret };
}
