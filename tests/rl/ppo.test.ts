import { beforeAll, describe, expect, it } from 'vitest';
import { costModelSchema } from '../../src/costs/cost-model.js';
import { asContinuousEnv, runEpisode, runPolicy } from '../../src/rl/episode.js';
import { generalizedAdvantages } from '../../src/rl/gae.js';
import { orthogonalMatrix } from '../../src/rl/orthogonal-init.js';
import { plantedSignalMarket } from '../../src/rl/planted-signal-market.js';
import { sliceMarket } from '../../src/rl/slice-market.js';
import { trainPpo } from '../../src/rl/ppo.js';
import { ppoSchema } from '../../src/rl/ppo-config.js';
import { RunningMeanStd } from '../../src/rl/running-stats.js';
import { SeededRandom } from '../../src/math/seeded-random.js';
import { initTfBackend } from '../../src/rl/tf-backend.js';
import { TradingEnv, tradingEnvSchema } from '../../src/rl/trading-env.js';

describe('PPO building blocks', () => {
  it('GAE by hand: two steps, a terminal between episodes, bootstrapped at the end', () => {
    // gamma 0.5, lambda 0.5; values 1, 2, 3; rewards 1, 1, 1; step 2 starts a new episode.
    const { advantages, returns } = generalizedAdvantages([1, 1, 1], [1, 2, 3], [1, 0, 1], 4, false, 0.5, 0.5);
    const d2 = 1 + 0.5 * 4 - 3; // 0, bootstrapped on the last value
    const d1 = 1 - 2; // -1, terminal: no bootstrap
    const d0 = 1 + 0.5 * 2 - 1; // 1
    expect([...advantages]).toEqual([d0 + 0.25 * d1, d1, d2]);
    expect([...returns]).toEqual([d0 + 0.25 * d1 + 1, d1 + 2, d2 + 3]);
  });

  it('running statistics converge to the sample mean and population variance', () => {
    const r = new RunningMeanStd(2);
    const xs = [
      [1, 10],
      [2, 20],
      [3, 60],
      [4, 10],
    ];
    for (const x of xs) r.update(x);
    expect(r.mean[0]).toBeCloseTo(2.5, 3);
    expect(r.variance[0]).toBeCloseTo(1.25, 2);
    expect(r.mean[1]).toBeCloseTo(25, 2);
    expect(RunningMeanStd.fromJSON(JSON.parse(JSON.stringify(r.toJSON()))).normalize([2.5, 25])[0]).toBeCloseTo(0, 3);
  });

  it('orthogonal initialisation: orthonormal columns (tall) or rows (wide), scaled by the gain, from the seed alone', () => {
    for (const [rows, cols] of [
      [7, 3],
      [3, 7],
    ] as const) {
      const m = orthogonalMatrix(rows, cols, 2, new SeededRandom(1));
      const tall = rows >= cols;
      const k = tall ? cols : rows;
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) {
          let dot = 0;
          for (let i = 0; i < (tall ? rows : cols); i++)
            dot += tall ? m[i * cols + a]! * m[i * cols + b]! : m[a * cols + i]! * m[b * cols + i]!;
          expect(dot).toBeCloseTo(a === b ? 4 : 0, 5);
        }
      }
      expect(orthogonalMatrix(rows, cols, 2, new SeededRandom(1))).toEqual(m);
    }
  });
});

describe('PPO on the trading environment', () => {
  const costs = costModelSchema.parse({ fees: { bps: 1 } });
  const envConfig = tradingEnvSchema.parse({ initial_cash: 10_000, hmax: 100, reward_scaling: 0.01 });
  const market = plantedSignalMarket({ sessions: 600, assets: 2, seed: 7 });
  const ppo = ppoSchema.parse({ total_timesteps: 6144, n_steps: 1024, learning_rate: 1e-3 });
  beforeAll(async () => {
    await initTfBackend();
  });

  it('learns a planted signal: out of sample it beats buy-and-hold by more than 20 points of return', () => {
    const policy = trainPpo(asContinuousEnv(new TradingEnv(sliceMarket(market, 0, 400), envConfig, costs)), ppo, 1);
    const test = sliceMarket(market, 400, 600);
    const learned = runPolicy(new TradingEnv(test, envConfig, costs), policy);
    let first = true;
    const hold = runEpisode(new TradingEnv(test, envConfig, costs), () => (first ? ((first = false), [1, 1]) : [0, 0]));
    const ret = (v: Float64Array) => v.at(-1)! / v[0]! - 1;
    expect(ret(learned) - ret(hold)).toBeGreaterThan(0.2);
    expect(policy.curves.at(-1)!.episode_reward!).toBeGreaterThan(policy.curves[0]!.episode_reward!);
  }, 60_000);

  it('is reproducible to the bit: two trainings with one seed give the same weights and curves; another seed does not', () => {
    const small = { ...ppo, total_timesteps: 512, n_steps: 256, n_epochs: 2 };
    const run = (seed: number) =>
      trainPpo(asContinuousEnv(new TradingEnv(sliceMarket(market, 0, 300), envConfig, costs)), small, seed);
    const a = run(3);
    const b = run(3);
    const c = run(4);
    expect(Buffer.from(a.policy.serialize().bytes).equals(Buffer.from(b.policy.serialize().bytes))).toBe(true);
    expect(JSON.stringify(a.curves)).toBe(JSON.stringify(b.curves));
    expect(Buffer.from(a.policy.serialize().bytes).equals(Buffer.from(c.policy.serialize().bytes))).toBe(false);
  }, 60_000);
});
