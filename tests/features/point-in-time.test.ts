import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as ind from '../../src/features/indicators.js';
import { barsFromRows } from '../helpers/random-bars.js';

type Bars = { open: number[]; high: number[]; low: number[]; close: number[] };

/** Every indicator, as a function of bars to one or more output series. */
const FUNCTIONS: Record<string, (b: Bars) => number[][]> = {
  sma: (b) => [ind.sma(b.close, 5)],
  ema: (b) => [ind.ema(b.close, 5)],
  rsi: (b) => [ind.rsi(b.close, 4)],
  true_range: (b) => [ind.trueRange(b.high, b.low, b.close)],
  atr: (b) => [ind.atr(b.high, b.low, b.close, 4)],
  bollinger: (b) => Object.values(ind.bollinger(b.close, 5, 2)),
  macd: (b) => Object.values(ind.macd(b.close, 3, 6, 3)),
  roc_log: (b) => [ind.rocLog(b.close, 3)],
  vol_close: (b) => [ind.volClose(b.close, 5, 252)],
  vol_parkinson: (b) => [ind.volParkinson(b.high, b.low, 5, 252)],
  vol_garman_klass: (b) => [ind.volGarmanKlass(b.open, b.high, b.low, b.close, 5, 252)],
};

const bar = fc.record({
  o: fc.double({ min: 1, max: 1000, noNaN: true }),
  spread: fc.double({ min: 0, max: 0.1, noNaN: true }),
  move: fc.double({ min: -0.1, max: 0.1, noNaN: true }),
});

function toBars(rows: { o: number; spread: number; move: number }[]): Bars {
  const { open, close, high, low } = barsFromRows(rows);
  return { open, close, high, low };
}

describe('point in time: changing data after day t changes no value at or before t', () => {
  for (const [name, fn] of Object.entries(FUNCTIONS)) {
    it(name, () => {
      fc.assert(
        fc.property(
          fc.array(bar, { minLength: 12, maxLength: 40 }),
          fc.array(bar, { minLength: 1, maxLength: 40 }),
          fc.nat(),
          (rows, future, cut) => {
            const t = cut % rows.length;
            const base = fn(toBars(rows));
            const changed = fn(
              toBars([
                ...rows.slice(0, t + 1),
                ...future.slice(0, rows.length - t - 1),
                ...rows.slice(t + 1 + future.length),
              ]),
            );
            for (let k = 0; k < base.length; k++) {
              expect(changed[k]!.slice(0, t + 1)).toEqual(base[k]!.slice(0, t + 1));
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  }
});
