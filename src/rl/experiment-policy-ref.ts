import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StrategyRef } from '../strategy/strategy-ref.js';
import { experimentConfigSchema, type ExperimentConfig } from './experiment-config.js';

/** The strategy an experiment's policy trades as (strategies/ppo_policy.ts): a policy is one strategy among others. */
export const POLICY_STRATEGY = 'ppo_policy';

/** The strategy reference of an experiment's policy: ppo_policy bound to the experiment and the feature set it trained on. */
export function policyStrategyRef(experiment: string, config: ExperimentConfig): StrategyRef {
  return { kind: POLICY_STRATEGY, data: { experiment, features: config.features.from } };
}

/** What the policy trades, as a backtest's record says it of a strategy: the experiment's bars, universe, adjustment and cash. */
export function policyTraded(config: ExperimentConfig): {
  from: string;
  symbols: string[];
  adjust: ExperimentConfig['adjust'];
  initial_cash: number;
} {
  return { from: config.from, symbols: config.symbols, adjust: config.adjust, initial_cash: config.env.initial_cash };
}

/** An experiment's config, as its manifest.json records it. */
export function experimentConfigOf(experimentDir: string): ExperimentConfig {
  const file = join(experimentDir, 'manifest.json');
  return experimentConfigSchema.parse((JSON.parse(readFileSync(file, 'utf8')) as { config: unknown }).config);
}
