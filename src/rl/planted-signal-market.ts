import { SeededRandom } from '../math/seeded-random.js';
import type { EnvMarket } from './trading-env.js';

/**
 * A SYNTHETIC market with a planted, learnable signal, for testing that a learner learns:
 * each asset's feature `signal` on bar t is +1 or -1 at random, and the asset's return from
 * bar t+1's open to its close is `edge` x signal_t plus Gaussian noise; the overnight move is
 * zero, so buy-and-hold earns only the noise. A policy that buys on +1 and sells on -1 earns
 * the edge; nothing about the signal is hidden from a policy that reads only bar t.
 */
export function plantedSignalMarket(o: {
  sessions: number;
  assets: number;
  seed: number;
  edge?: number;
  noise?: number;
}): EnvMarket {
  const random = new SeededRandom(o.seed);
  const edge = o.edge ?? 0.01;
  const noise = o.noise ?? 0.003;
  const open: Float64Array[] = [];
  const close: Float64Array[] = [];
  const signal: Float64Array[] = [];
  for (let i = 0; i < o.assets; i++) {
    const op = new Float64Array(o.sessions);
    const cl = new Float64Array(o.sessions);
    const sg = new Float64Array(o.sessions);
    let p = 100;
    for (let t = 0; t < o.sessions; t++) {
      sg[t] = random.uniform() < 0.5 ? -1 : 1;
      op[t] = p;
      if (t > 0) p *= 1 + edge * sg[t - 1]! + noise * random.normal();
      cl[t] = p;
    }
    open.push(op);
    close.push(cl);
    signal.push(sg);
  }
  return {
    dates: Array.from({ length: o.sessions }, (_, t) => new Date(Date.UTC(2000, 0, 3 + t)).toISOString().slice(0, 10)),
    symbols: Array.from({ length: o.assets }, (_, i) => `SYN${i}`),
    open,
    close,
    volume: open.map(() => new Float64Array(o.sessions).fill(1e9)),
    features: [signal],
    featureNames: ['signal'],
  };
}
