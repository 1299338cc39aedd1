import { generalizedAdvantages } from './gae.js';
import { GaussianActorCritic } from './policy.js';
import type { PpoConfig } from './ppo-config.js';
import { RunningMeanStd } from './running-stats.js';
import { SeededRandom } from '../math/seeded-random.js';
import { tf } from './tf-backend.js';
import { mean as meanOf, populationVariance, sampleStd } from '../math/statistics.js';

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

/** The state of one training run that its steps share: the policy, its optimiser and the draws. */
interface Trainer {
  readonly env: ContinuousEnv;
  readonly c: PpoConfig;
  readonly random: SeededRandom;
  readonly policy: GaussianActorCritic;
  readonly stats: RunningMeanStd | null;
  readonly optimizer: tf.Optimizer;
  /** The observation the next step acts on, normalised. */
  obs: Float32Array<ArrayBuffer>;
  episodeStart: number;
  episodeReward: number;
}

/** n_steps of experience and what the optimisation needs of it. */
interface Rollout {
  readonly obs: Float32Array;
  readonly actions: Float32Array;
  readonly values: Float64Array;
  readonly advantages: Float64Array;
  readonly returns: Float64Array;
  readonly oldLogProb: Float32Array;
  /** Total rewards of the episodes that ended in this rollout. */
  readonly finished: number[];
  readonly rewardSum: number;
}

/** Means over one iteration's minibatches. */
interface LossSums {
  policy: number;
  value: number;
  entropy: number;
  kl: number;
  clip: number;
  batches: number;
}

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
  const policy = new GaussianActorCritic(O, env.actionSize, c.net_arch, c.log_std_init, random);
  const stats = c.normalize_observations ? new RunningMeanStd(O, c.clip_observations) : null;
  const optimizer = tf.train.adam(c.learning_rate, 0.9, 0.999, 1e-5);
  const trainer: Trainer = {
    env,
    c,
    random,
    policy,
    stats,
    optimizer,
    obs: new Float32Array(O),
    episodeStart: 1,
    episodeReward: 0,
  };
  trainer.obs = observe(trainer, env.reset());
  const curves: IterationStats[] = [];
  let timesteps = 0;
  for (let iteration = 1; timesteps < c.total_timesteps; iteration++) {
    const rollout = collectRollout(trainer);
    timesteps += c.n_steps;
    const sums = optimise(trainer, rollout);
    const s = iterationStats(trainer, rollout, sums, iteration, timesteps);
    curves.push(s);
    onIteration?.(s);
  }
  optimizer.dispose();
  return { policy, observationStats: stats, curves };
}

/** The observation as the policy sees it: normalised by running statistics (updated first) when configured. */
function observe(t: Trainer, raw: Float64Array): Float32Array<ArrayBuffer> {
  const out = new Float32Array(t.env.observationSize);
  if (t.stats) {
    t.stats.update(raw);
    t.stats.normalize(raw, out);
  } else out.set(raw);
  return out;
}

/** Runs the current policy (sampling its Gaussian) for n_steps, then GAE and the old log-probabilities. */
function collectRollout(t: Trainer): Rollout {
  const { env, c, policy, random } = t;
  const O = env.observationSize;
  const A = env.actionSize;
  const n = c.n_steps;
  const obsBuf = new Float32Array(n * O);
  const actBuf = new Float32Array(n * A);
  const rewards = new Float64Array(n);
  const values = new Float64Array(n);
  const starts = new Float64Array(n);
  const clipped = new Float32Array(A);
  const std = (policy.logStd.dataSync() as Float32Array).map(Math.exp);
  const finished: number[] = [];
  let rewardSum = 0;
  for (let step = 0; step < n; step++) {
    const obs = t.obs;
    const [mean, value] = tf.tidy(() => {
      const x = tf.tensor2d(obs, [1, O]);
      return [policy.mean(x).dataSync() as Float32Array, policy.value(x).dataSync()[0]!];
    });
    obsBuf.set(obs, step * O);
    for (let j = 0; j < A; j++) {
      const a = mean[j]! + std[j]! * random.normal();
      actBuf[step * A + j] = a;
      clipped[j] = Math.max(-1, Math.min(1, a));
    }
    values[step] = value;
    starts[step] = t.episodeStart;
    const r = env.step(clipped);
    rewards[step] = r.reward;
    rewardSum += r.reward;
    t.episodeReward += r.reward;
    t.episodeStart = r.done ? 1 : 0;
    if (r.done) {
      finished.push(t.episodeReward);
      t.episodeReward = 0;
      t.obs = observe(t, env.reset());
    } else t.obs = observe(t, r.observation);
  }
  const last = t.obs;
  const lastValue = tf.tidy(() => policy.value(tf.tensor2d(last, [1, O])).dataSync()[0]!);
  const { advantages, returns } = generalizedAdvantages(
    rewards,
    values,
    starts,
    lastValue,
    t.episodeStart === 1,
    c.gamma,
    c.gae_lambda,
  );
  const oldLogProb = tf.tidy(() => {
    const x = tf.tensor2d(obsBuf, [n, O]);
    return policy.logProb(policy.mean(x), tf.tensor2d(actBuf, [n, A])).dataSync() as Float32Array;
  });
  return { obs: obsBuf, actions: actBuf, values, advantages, returns, oldLogProb, finished, rewardSum };
}

/** n_epochs of shuffled minibatches, each one Adam step on the clipped surrogate, value loss and entropy bonus. */
function optimise(t: Trainer, r: Rollout): LossSums {
  const { c, random } = t;
  const O = t.env.observationSize;
  const A = t.env.actionSize;
  const n = c.n_steps;
  const sums: LossSums = { policy: 0, value: 0, entropy: 0, kl: 0, clip: 0, batches: 0 };
  const batch = {
    obs: new Float32Array(c.batch_size * O),
    actions: new Float32Array(c.batch_size * A),
    advantages: new Float32Array(c.batch_size),
    returns: new Float32Array(c.batch_size),
    oldLogProb: new Float32Array(c.batch_size),
  };
  for (let epoch = 0; epoch < c.n_epochs; epoch++) {
    const order = random.permutation(n);
    for (let start = 0; start < n; start += c.batch_size) {
      const m = Math.min(c.batch_size, n - start);
      for (let k = 0; k < m; k++) {
        const i = order[start + k]!;
        batch.obs.set(r.obs.subarray(i * O, (i + 1) * O), k * O);
        batch.actions.set(r.actions.subarray(i * A, (i + 1) * A), k * A);
        batch.advantages[k] = r.advantages[i]!;
        batch.returns[k] = r.returns[i]!;
        batch.oldLogProb[k] = r.oldLogProb[i]!;
      }
      if (c.normalize_advantage && m > 1) {
        const mean = meanOf(batch.advantages, 0, m);
        const sd = sampleStd(batch.advantages, 0, m); // torch's std is the sample one
        for (let k = 0; k < m; k++) batch.advantages[k] = (batch.advantages[k]! - mean) / (sd + 1e-8);
      }
      const metrics = minibatchStep(t, batch, m);
      sums.policy += metrics[0]!;
      sums.value += metrics[1]!;
      sums.entropy += metrics[2]!;
      sums.kl += metrics[3]!;
      sums.clip += metrics[4]!;
      sums.batches++;
    }
  }
  return sums;
}

/** One gradient step on the first m rows of the minibatch; returns its policy loss, value loss, entropy, KL and clip fraction. */
function minibatchStep(
  t: Trainer,
  b: {
    obs: Float32Array;
    actions: Float32Array;
    advantages: Float32Array;
    returns: Float32Array;
    oldLogProb: Float32Array;
  },
  m: number,
): number[] {
  const { c, policy, optimizer } = t;
  const O = t.env.observationSize;
  const A = t.env.actionSize;
  return tf.tidy(() => {
    const x = tf.tensor2d(b.obs.subarray(0, m * O), [m, O]);
    const actions = tf.tensor2d(b.actions.subarray(0, m * A), [m, A]);
    const adv = tf.tensor1d(b.advantages.subarray(0, m));
    const ret = tf.tensor1d(b.returns.subarray(0, m));
    const old = tf.tensor1d(b.oldLogProb.subarray(0, m));
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
}

/** The training curves' point for this iteration. */
function iterationStats(t: Trainer, r: Rollout, sums: LossSums, iteration: number, timesteps: number): IterationStats {
  const residual = Float64Array.from(r.returns, (ret, i) => ret - r.values[i]!);
  const varReturns = populationVariance(r.returns);
  return {
    iteration,
    timesteps,
    episode_reward: r.finished.length > 0 ? r.finished.reduce((a, b) => a + b, 0) / r.finished.length : null,
    reward_per_step: r.rewardSum / t.c.n_steps,
    policy_loss: sums.policy / sums.batches,
    value_loss: sums.value / sums.batches,
    entropy: sums.entropy / sums.batches,
    approx_kl: sums.kl / sums.batches,
    clip_fraction: sums.clip / sums.batches,
    explained_variance: varReturns === 0 ? Number.NaN : 1 - populationVariance(residual) / varReturns,
    action_std: (t.policy.logStd.dataSync() as Float32Array).reduce((a, l) => a + Math.exp(l), 0) / t.env.actionSize,
  };
}
