import { describe, expect, it } from 'vitest';
import { costModelSchema } from '../../src/costs/cost-model.js';
import { TradingEnv, tradingEnvSchema, type EnvMarket } from '../../src/rl/trading-env.js';

const f64 = (xs: number[]) => Float64Array.from(xs);

function market(open: number[][], close: number[][], o: { volume?: number; turbulence?: number[] } = {}): EnvMarket {
  const T = close[0]!.length;
  return {
    dates: Array.from({ length: T }, (_, t) => `2024-01-${String(t + 1).padStart(2, '0')}`),
    symbols: close.map((_, i) => `A${i}`),
    open: open.map(f64),
    close: close.map(f64),
    volume: close.map(() => new Float64Array(T).fill(o.volume ?? 1e9)),
    features: [close.map((c) => f64(c.map((x) => x / 100)))],
    featureNames: ['scaled'],
    ...(o.turbulence ? { turbulence: f64(o.turbulence) } : {}),
  };
}

describe('trading environment (FinRL StockTradingEnv semantics on the shared cost model)', () => {
  const env = (m: EnvMarket, cfg: Record<string, unknown> = {}, costs: Record<string, unknown> = {}) =>
    new TradingEnv(
      m,
      tradingEnvSchema.parse({ initial_cash: 1000, hmax: 10, reward_scaling: 1, ...cfg }),
      costModelSchema.parse(costs),
      { log: true },
    );

  it('state is [cash, closes, holdings, features by feature then asset]', () => {
    const e = env(
      market(
        [
          [10, 11],
          [20, 21],
        ],
        [
          [10, 12],
          [20, 22],
        ],
      ),
    );
    expect([...e.reset()]).toEqual([1000, 10, 20, 0, 0, 0.1, 0.2]);
    expect(e.observationSize).toBe(7);
  });

  it('an action buys whole shares at the next open, and the reward is the close-to-close change in value', () => {
    const e = env(
      market(
        [
          [10, 11, 12],
          [20, 21, 22],
        ],
        [
          [10, 12, 13],
          [20, 22, 20],
        ],
      ),
      {},
      { fees: { bps: 100 } },
    );
    e.reset();
    // 0.55 x 10 = 5.5 -> 5 shares of A0; -0.3 -> sell 3 of A1, but none held: nothing.
    const r = e.step([0.55, -0.3]);
    // Bought 5 at the open 11 with a 1% fee: cash 1000 - 55 - 0.55 = 944.45; value at the close 12: 944.45 + 60.
    expect(r.observation[0]).toBeCloseTo(944.45, 10);
    expect([...r.observation.slice(3, 5)]).toEqual([5, 0]);
    expect(r.reward).toBeCloseTo(944.45 + 60 - 1000, 10);
    expect(r.done).toBe(false);
    // Sell 2 of A0 at the open 12 (fee 0.24), buy 10 of A1 at 22 (fee 2.2); value at the close 13 and 20.
    const r2 = e.step([-0.2, 1]);
    const cash = 944.45 + 24 - 0.24 - 220 - 2.2;
    expect(r2.observation[0]).toBeCloseTo(cash, 10);
    expect(r2.reward).toBeCloseTo(cash + 3 * 13 + 10 * 20 - (944.45 + 60), 10);
    expect(r2.done).toBe(true);
    expect(e.stepLog.map((s) => s.traded)).toEqual([
      [5, 0],
      [-2, 10],
    ]);
    expect(() => e.step([0, 0])).toThrow(/after the episode ended/);
  });

  it('sells go before buys, and a buy is capped by the cash left after its costs', () => {
    const e = env(
      market(
        [
          [100, 100, 100],
          [50, 50, 50],
        ],
        [
          [100, 100, 100],
          [50, 50, 50],
        ],
      ),
      { initial_cash: 1000 },
      { fees: { min_per_order: 5 } },
    );
    e.reset();
    e.step([0.9, 0]); // 9 x 100 + fee 5 = 905: cash 95
    // Sell all 9 of A0 (cash 95 + 900 - 5 = 990), then buy A1: wanted 10 x 50 + 5 = 505 fits.
    const r = e.step([-1, 1]);
    expect([...r.observation.slice(3, 5)]).toEqual([0, 10]);
    expect(r.observation[0]).toBeCloseTo(990 - 505, 10);
    const poor = env(market([[100, 100]], [[100, 100]]), { initial_cash: 505 }, { fees: { min_per_order: 10 } });
    poor.reset();
    // 5 shares would cost 500 + 10 = 510 > 505: 4 shares (410).
    expect(poor.step([1]).observation[2]).toBe(4);
  });

  it('turbulence at the threshold blocks buying and liquidates', () => {
    const e = env(market([[10, 10, 10, 10]], [[10, 10, 10, 10]], { turbulence: [0, 0, 5, 0] }), {
      turbulence_threshold: 5,
    });
    e.reset();
    e.step([1]);
    expect(e.step([1]).observation[2]).toBe(20); // turbulence 0 at bar 1: buys
    const r = e.step([1]); // turbulence 5 at bar 2: sells everything, buys nothing
    expect(r.observation[2]).toBe(0);
    expect(e.stepLog.at(-1)!.turbulent).toBe(true);
  });

  it('no lookahead: the prices after the decision bar change nothing in the state or the decision it feeds', () => {
    const a = env(market([[10, 11, 12]], [[10, 12, 13]]));
    const b = env(market([[10, 50, 60]], [[10, 70, 80]]));
    expect([...a.reset()]).toEqual([...b.reset()]);
    // The same action fills at each market's next open: the fill, not the decision, sees bar 1.
    expect(a.step([1]).observation[2]).toBe(10);
    expect(b.step([1]).observation[2]).toBe(10);
  });

  it('refuses a cost model that would fill on a later bar than the next', () => {
    expect(() => env(market([[1, 1]], [[1, 1]]), {}, { execution: { delay_bars: 2 } })).toThrow(/delay_bars must be 1/);
  });
});

describe('trading environment: sessions without a bar', () => {
  it('an asset cannot trade on a session it has no bar; it keeps its last close for valuation', () => {
    const m = market([[10, 11, 12]], [[10, 11, 12]]);
    m.tradable = [Uint8Array.from([1, 0, 1])];
    const e = new TradingEnv(m, tradingEnvSchema.parse({ initial_cash: 1000, hmax: 10 }), costModelSchema.parse({}));
    e.reset();
    expect(e.step([1]).observation[2]).toBe(0); // bar 1 has no bar for A0: nothing bought
    expect(e.step([1]).observation[2]).toBe(10);
  });
});
