import { actDeterministic, type ContinuousEnv, type TrainedPolicy } from './ppo.js';
import type { TradingEnv } from './trading-env.js';

/** A TradingEnv as PPO sees it. */
export function asContinuousEnv(env: TradingEnv): ContinuousEnv {
  return {
    observationSize: env.observationSize,
    actionSize: env.assets,
    reset: () => env.reset(),
    step: (a) => env.step(a),
  };
}

/**
 * One episode of a policy over an environment from its first bar: the portfolio value at
 * every close (the equity curve a backtest would report). `act` is the policy's deterministic
 * action by default.
 */
export function runEpisode(env: TradingEnv, act: (observation: Float64Array) => ArrayLike<number>): Float64Array {
  let observation = env.reset();
  const values = [env.portfolioValue];
  for (let done = false; !done;) {
    const r = env.step(act(observation));
    observation = r.observation;
    values.push(env.portfolioValue);
    done = r.done;
  }
  return Float64Array.from(values);
}

export function runPolicy(env: TradingEnv, policy: TrainedPolicy): Float64Array {
  return runEpisode(env, (o) => actDeterministic(policy, o));
}
