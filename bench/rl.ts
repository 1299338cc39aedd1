/**
 * npm run bench:rl — on 30 assets (a SYNTHETIC market of 30 x 2,520 sessions with 6 features
 * per asset, seeded):
 * 1. trading-environment steps per second with random actions, beside a FinRL-style step loop
 *    in pandas (bench/rl_env_finrl.py, Debian's python3-pandas) on the same market, same run;
 * 2. PPO training steps per second end to end (rollout and optimisation, the default 64x64
 *    networks, n_steps 2048, batch 64, 10 epochs) on the TensorFlow.js backend in use, beside
 *    the rollout alone (policy inference and environment, no learning): the ceiling training
 *    could reach if optimisation were free.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { costModelSchema } from '../src/costs/cost-model.js';
import { quantoPackageRoot } from '../src/engine/package-root.js';
import { asContinuousEnv } from '../src/rl/episode.js';
import { trainPpo } from '../src/rl/ppo.js';
import { ppoSchema } from '../src/rl/ppo-config.js';
import { SeededRandom } from '../src/math/seeded-random.js';
import { initTfBackend, tf } from '../src/rl/tf-backend.js';
import { TradingEnv, tradingEnvSchema, type EnvMarket } from '../src/rl/trading-env.js';
import { median } from './stats.js';

const D = 30;
const T = 2520;
const K = 6;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function market(): EnvMarket {
  const r = new SeededRandom(5);
  const close = Array.from({ length: D }, () => {
    let p = 20 + 80 * r.uniform();
    return Float64Array.from({ length: T }, () => (p *= 1 + 0.02 * r.normal()));
  });
  return {
    dates: Array.from({ length: T }, (_, t) => `t${t}`),
    symbols: Array.from({ length: D }, (_, i) => `S${i}`),
    open: close,
    close,
    volume: close.map(() => new Float64Array(T).fill(1e9)),
    features: Array.from({ length: K }, () => close.map(() => Float64Array.from({ length: T }, () => r.normal()))),
    featureNames: Array.from({ length: K }, (_, k) => `f${k}`),
  };
}

const costs = costModelSchema.parse({ fees: { bps: 10 }, execution: { price: 'close' } });
const envConfig = tradingEnvSchema.parse({ initial_cash: 1_000_000, hmax: 100, reward_scaling: 1e-4 });

function envStepsPerSecond(m: EnvMarket, steps: number): number {
  const env = new TradingEnv(m, envConfig, costs);
  const r = new SeededRandom(1);
  const action = new Float32Array(D);
  env.reset();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    for (let j = 0; j < D; j++) action[j] = 2 * r.uniform() - 1;
    if (env.step(action).done) env.reset();
  }
  return steps / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const m = market();
  const steps = 20_000;
  envStepsPerSecond(m, 2_000); // warm the JIT
  const ours = median(Array.from({ length: RUNS }, () => envStepsPerSecond(m, steps)));
  console.log(`environment: ${D} assets, ${K} features each, random actions, ${steps} steps`);
  console.log(`  quanto            ${Math.round(ours).toLocaleString('en-US')} steps/s`);
  const py = '/usr/bin/python3';
  const dir = mkdtempSync(join(tmpdir(), 'quanto-bench-rl-'));
  try {
    const spec = join(dir, 'spec.json');
    writeFileSync(
      spec,
      JSON.stringify({
        assets: D,
        sessions: T,
        features: K,
        close: m.close.flatMap((x) => [...x]),
        feature_values: m.features.flatMap((f) => f.flatMap((x) => [...x])),
        steps: 5_000,
      }),
    );
    const r = spawnSync(py, [join(quantoPackageRoot(), 'bench', 'rl_env_finrl.py'), spec], {
      encoding: 'utf8',
      maxBuffer: 1e8,
    });
    if (r.status !== 0)
      console.log(
        `  FinRL-style pandas: not measured (${(r.stderr || '').trim().split('\n').pop()}; apt-get install python3-pandas)`,
      );
    else {
      const peer = JSON.parse(r.stdout) as { steps_per_s: number; pandas: string };
      console.log(
        `  FinRL-style loop  ${Math.round(peer.steps_per_s).toLocaleString('en-US')} steps/s (pandas ${peer.pandas}); quanto is ${(ours / peer.steps_per_s).toFixed(0)}x`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const backend = await initTfBackend();
  const ppo = ppoSchema.parse({ total_timesteps: 4096 });
  const train = () => {
    const t0 = performance.now();
    const p = trainPpo(asContinuousEnv(new TradingEnv(m, envConfig, costs)), ppo, 1);
    p.policy.dispose();
    return ppo.total_timesteps / ((performance.now() - t0) / 1000);
  };
  const rollout = () => {
    const p = trainPpo(
      asContinuousEnv(new TradingEnv(m, envConfig, costs)),
      { ...ppo, total_timesteps: 2048, n_epochs: 0 },
      1,
    );
    const t0 = performance.now();
    const again = trainPpo(
      asContinuousEnv(new TradingEnv(m, envConfig, costs)),
      { ...ppo, total_timesteps: 4096, n_epochs: 0 },
      1,
    );
    const rate = 4096 / ((performance.now() - t0) / 1000);
    p.policy.dispose();
    again.policy.dispose();
    return rate;
  };
  const trainRate = median(Array.from({ length: RUNS }, train));
  const rolloutRate = median(Array.from({ length: RUNS }, rollout));
  console.log(
    `PPO end to end: ${D} assets, default networks (64, 64), n_steps 2048, batch 64, 10 epochs, TensorFlow.js ${tf.version.tfjs} on ${backend}`,
  );
  console.log(`  training          ${Math.round(trainRate).toLocaleString('en-US')} steps/s`);
  console.log(
    `  rollout alone     ${Math.round(rolloutRate).toLocaleString('en-US')} steps/s (inference and environment, no optimisation: the ceiling)`,
  );
}

await main();
