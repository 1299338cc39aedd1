import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadKnowableFeatureColumn } from '../evaluation/load-feature-columns.js';
import { experimentConfigSchema } from './experiment-config.js';
import { loadTrainedPolicy } from './load-policy.js';
import { actDeterministic, type TrainedPolicy } from './ppo.js';
import { policyTrades, type PolicyTrade } from './policy-trades.js';
import { initTfBackend, type TfBackendName } from './tf-backend.js';
import { writeObservation } from './trading-env.js';

/**
 * A trained experiment's policy, ready to trade outside its environment: the network, the
 * assets of its action in order, hmax, and the features it observes, each value kept only if
 * it was knowable by its own date's close.
 */
export interface TradingPolicy {
  readonly policy: TrainedPolicy;
  readonly backend: TfBackendName;
  /** The assets of the action (and of the observation), in order. */
  readonly symbols: readonly string[];
  readonly hmax: number;
  readonly columns: readonly string[];
  /** features[k][i]: date -> value of column k of asset i. */
  readonly features: readonly (readonly ReadonlyMap<string, number>[])[];
}

/**
 * Loads the policy an experiment trained (its model/ and manifest.json, as ppo_experiment
 * writes them) with its features from the feature set it trained on (`featuresDir`: that
 * target's outputs), checking the model's observation is the one those make.
 */
export async function loadTradingPolicy(experimentDir: string, featuresDir: string): Promise<TradingPolicy> {
  const manifest = join(experimentDir, 'manifest.json');
  const config = experimentConfigSchema.parse(
    (JSON.parse(readFileSync(manifest, 'utf8')) as { config: unknown }).config,
  );
  const backend = await initTfBackend();
  const { policy, model } = loadTrainedPolicy(join(experimentDir, 'model'));
  const symbols = model.action.symbols;
  const columns = config.features.columns;
  const expected = 1 + 2 * symbols.length + columns.length * symbols.length;
  if (model.observation.size !== expected) {
    policy.policy.dispose();
    throw new Error(
      `${join(experimentDir, 'model', 'model.json')}: an observation of ${model.observation.size} values, not the ${expected} that ${symbols.length} assets and ${columns.length} features make`,
    );
  }
  const features: ReadonlyMap<string, number>[][] = [];
  for (const column of columns) {
    const bySymbol = await loadKnowableFeatureColumn(join(featuresDir, 'features'), column, symbols);
    features.push(symbols.map((s) => bySymbol.get(s) ?? new Map()));
  }
  return { policy, backend, symbols, hmax: model.action.hmax, columns, features };
}

/**
 * The trades the policy makes at a close, from what is known then: each asset's latest close
 * (carried over a day without a bar, as the environment carries it), the holdings and cash, and
 * the features of that date (0 where unknown, FinRL's convention). Sells first, then buys, the
 * largest first (policyTrades), as the environment trades them.
 */
export function tradingPolicyTrades(
  p: TradingPolicy,
  at: { date: string; cash: number; close: (asset: number) => number; holding: (asset: number) => number },
): { trades: PolicyTrade[]; action: Float32Array; observation: Float64Array } {
  const D = p.symbols.length;
  const observation = writeObservation(
    new Float64Array(1 + 2 * D + p.columns.length * D),
    { assets: D, features: p.columns.length },
    at.cash,
    at.close,
    at.holding,
    (k, i) => p.features[k]![i]!.get(at.date) ?? 0,
  );
  const action = actDeterministic(p.policy, observation);
  return {
    trades: policyTrades(
      action,
      p.hmax,
      Array.from({ length: D }, (_, i) => at.holding(i)),
    ),
    action,
    observation,
  };
}
