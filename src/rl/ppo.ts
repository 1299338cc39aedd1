import { generalizedAdvantages } from './gae.js';
import { GaussianActorCritic } from './policy.js';
import type { PpoConfig } from './ppo-config.js';
import { RunningMeanStd } from './running-stats.js';
import { SeededRandom } from './seeded-random.js';
import { tf } from './tf-backend.js';

/** What PPO trains on: a single environment with continuous actions in [-1, 1]^actionSize. */
export interface ContinuousEnv {
  readonly observationSize: number;
  readonly actionSize: number;
  reset(): Float64Array;
  step(action: Float32Array): { observation: Float64Array; reward: number; done: boolean };
}

/** One point of the training curves, per PPO iteration (means over the iteration's minibatches). */
export interface IterationStats {
  iteration: number;
  timesteps: number;
  /** Mean total reward of the episodes that ended in this iteration's rollout (null if none did). */
  episode_reward: number | null;
  reward_per_step: number;
  policy_loss: number;
  value_loss: number;
  entropy: number;
  approx_kl: number;
  clip_fraction: number;
  explained_variance: number;
  action_std: number;
}

export interface TrainedPolicy {
  policy: GaussianActorCritic;
  observationStats: RunningMeanStd | null;
  curves: IterationStats[];
}

/** The deterministic action (the Gaussian's mean, clipped to [-1, 1]) of a trained policy. */
export function actDeterministic(p: TrainedPolicy, observation: ArrayLike<number>): Float32Array {
  const x = p.observationStats ? p.observationStats.normalize(observation) : Float32Array.from(observation);
  const mean = tf.tidy(() => p.policy.mean(tf.tensor2d(x, [1, x.length])).dataSync() as Float32Array);
  return mean.map((a) => Math.max(-1, Math.min(1, a)));
}

const variance = (xs: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m += xs[i]!;
  m /= xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i]! - m) ** 2;
  return v / xs.length;
};

/**
 * Proximal policy optimisation (Schulman et al., 2017) as Stable-Baselines3 runs it: rollouts
 * of n_steps with a Gaussian policy (actions clipped to [-1, 1] only when sent to the
 * environment), GAE, then n_epochs of shuffled minibatches minimising the clipped surrogate,
 * the value loss and the entropy bonus with Adam, gradients clipped by global norm. Every
 * random draw comes from `seed`; on one backend, one seed gives the same weights to the bit.
 */
export function trainPpo(
  env: ContinuousEnv,
  c: PpoConfig,
  seed: number,
  onIteration?: (s: IterationStats) => void,
): TrainedPolicy {
  const random = new SeededRandom(seed);
  const O = env.observationSize;
  const A = env.actionSize;
  const n = c.n_steps;
  const policy = new GaussianActorCritic(O, A, c.net_arch, c.log_std_init, random);
  const stats = c.normalize_observations ? new RunningMeanStd(O, c.clip_observations) : null;
  const optimizer = tf.train.adam(c.learning_rate, 0.9, 0.999, 1e-5);
  const curves: IterationStats[] = [];

  const observe = (raw: Float64Array, out: Float32Array<ArrayBuffer>): Float32Array<ArrayBuffer> => {
    if (stats) {
      stats.update(raw);
      stats.normalize(raw, out);
    } else out.set(raw);
    return out;
  };

  const obsBuf = new Float32Array(n * O);
  const actBuf = new Float32Array(n * A);
  const rewards = new Float64Array(n);
  const values = new Float64Array(n);
  const starts = new Float64Array(n);
  const clipped = new Float32Array(A);
  let obs = observe(env.reset(), new Float32Array(O));
  let episodeStart = 1;
  let episodeReward = 0;
  let timesteps = 0;

  for (let iteration = 1; timesteps < c.total_timesteps; iteration++) {
    // Rollout.
    const std = (policy.logStd.dataSync() as Float32Array).map(Math.exp);
    const finished: number[] = [];
    let rewardSum = 0;
    for (let t = 0; t < n; t++) {
      const [mean, value] = tf.tidy(() => {
        const x = tf.tensor2d(obs, [1, O]);
        return [policy.mean(x).dataSync() as Float32Array, policy.value(x).dataSync()[0]!];
      });
      obsBuf.set(obs, t * O);
      for (let j = 0; j < A; j++) {
        const a = mean[j]! + std[j]! * random.normal();
        actBuf[t * A + j] = a;
        clipped[j] = Math.max(-1, Math.min(1, a));
      }
      values[t] = value;
      starts[t] = episodeStart;
      const r = env.step(clipped);
      rewards[t] = r.reward;
      rewardSum += r.reward;
      episodeReward += r.reward;
      episodeStart = r.done ? 1 : 0;
      if (r.done) {
        finished.push(episodeReward);
        episodeReward = 0;
        obs = observe(env.reset(), new Float32Array(O));
      } else obs = observe(r.observation, new Float32Array(O));
    }
    timesteps += n;
    const lastValue = tf.tidy(() => policy.value(tf.tensor2d(obs, [1, O])).dataSync()[0]!);
    const { advantages, returns } = generalizedAdvantages(
      rewards,
      values,
      starts,
      lastValue,
      episodeStart === 1,
      c.gamma,
      c.gae_lambda,
    );
    const oldLogProb = tf.tidy(() => {
      const x = tf.tensor2d(obsBuf, [n, O]);
      return policy.logProb(policy.mean(x), tf.tensor2d(actBuf, [n, A])).dataSync() as Float32Array;
    });

    // Optimisation.
    const sums = { policy: 0, value: 0, entropy: 0, kl: 0, clip: 0, batches: 0 };
    const bObs = new Float32Array(c.batch_size * O);
    const bAct = new Float32Array(c.batch_size * A);
    const bAdv = new Float32Array(c.batch_size);
    const bRet = new Float32Array(c.batch_size);
    const bOld = new Float32Array(c.batch_size);
    for (let epoch = 0; epoch < c.n_epochs; epoch++) {
      const order = random.permutation(n);
      for (let start = 0; start < n; start += c.batch_size) {
        const m = Math.min(c.batch_size, n - start);
        for (let k = 0; k < m; k++) {
          const i = order[start + k]!;
          bObs.set(obsBuf.subarray(i * O, (i + 1) * O), k * O);
          bAct.set(actBuf.subarray(i * A, (i + 1) * A), k * A);
          bAdv[k] = advantages[i]!;
          bRet[k] = returns[i]!;
          bOld[k] = oldLogProb[i]!;
        }
        if (c.normalize_advantage && m > 1) {
          let mean = 0;
          for (let k = 0; k < m; k++) mean += bAdv[k]!;
          mean /= m;
          let ss = 0;
          for (let k = 0; k < m; k++) ss += (bAdv[k]! - mean) ** 2;
          const sd = Math.sqrt(ss / (m - 1)); // torch's std is the sample one
          for (let k = 0; k < m; k++) bAdv[k] = (bAdv[k]! - mean) / (sd + 1e-8);
        }
        const metrics = tf.tidy(() => {
          const x = tf.tensor2d(bObs.subarray(0, m * O), [m, O]);
          const actions = tf.tensor2d(bAct.subarray(0, m * A), [m, A]);
          const adv = tf.tensor1d(bAdv.subarray(0, m));
          const ret = tf.tensor1d(bRet.subarray(0, m));
          const old = tf.tensor1d(bOld.subarray(0, m));
          let parts: tf.Tensor[] = [];
          const { grads } = tf.variableGrads(() => {
            const logProb = policy.logProb(policy.mean(x), actions);
            const ratio = tf.exp(tf.sub(logProb, old));
            const surrogate = tf.minimum(
              tf.mul(adv, ratio),
              tf.mul(adv, tf.clipByValue(ratio, 1 - c.clip_range, 1 + c.clip_range)),
            );
            const policyLoss = tf.neg(tf.mean(surrogate));
            const valueLoss = tf.mean(tf.square(tf.sub(ret, policy.value(x))));
            const entropy = policy.entropy();
            const logRatio = tf.sub(logProb, old);
            const kl = tf.mean(tf.sub(tf.sub(ratio, 1), logRatio));
            const clipFraction = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), c.clip_range), 'float32'));
            parts = [policyLoss, valueLoss, entropy, kl, clipFraction].map((p) => tf.keep(p));
            return tf.add(tf.add(policyLoss, tf.mul(-c.ent_coef, entropy)), tf.mul(c.vf_coef, valueLoss)) as tf.Scalar;
          }, policy.variables);
          // Clip by global norm, as torch.nn.utils.clip_grad_norm_ does; computed in the graph,
          // so a minibatch costs one read back from the backend, not one per variable.
          const names = Object.keys(grads);
          const norm = tf.sqrt(tf.addN(names.map((k) => tf.sum(tf.square(grads[k]!)))));
          const scale = tf.minimum(1, tf.div(c.max_grad_norm, tf.add(norm, 1e-6)));
          optimizer.applyGradients(Object.fromEntries(names.map((k) => [k, tf.mul(grads[k]!, scale)])));
          const values = [...(tf.stack(parts).dataSync() as Float32Array)];
          for (const p of parts) p.dispose();
          return values;
        });
        sums.policy += metrics[0]!;
        sums.value += metrics[1]!;
        sums.entropy += metrics[2]!;
        sums.kl += metrics[3]!;
        sums.clip += metrics[4]!;
        sums.batches++;
      }
    }
    const residual = Float64Array.from(returns, (r, i) => r - values[i]!);
    const varReturns = variance(returns);
    const s: IterationStats = {
      iteration,
      timesteps,
      episode_reward: finished.length > 0 ? finished.reduce((a, b) => a + b, 0) / finished.length : null,
      reward_per_step: rewardSum / n,
      policy_loss: sums.policy / sums.batches,
      value_loss: sums.value / sums.batches,
      entropy: sums.entropy / sums.batches,
      approx_kl: sums.kl / sums.batches,
      clip_fraction: sums.clip / sums.batches,
      explained_variance: varReturns === 0 ? Number.NaN : 1 - variance(residual) / varReturns,
      action_std: (policy.logStd.dataSync() as Float32Array).reduce((a, l) => a + Math.exp(l), 0) / A,
    };
    curves.push(s);
    onIteration?.(s);
  }
  optimizer.dispose();
  return { policy, observationStats: stats, curves };
}
