import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RiskConfig } from '../execution/risk-config.js';
import { experimentConfigSchema, type ExperimentConfig } from '../rl/experiment-config.js';
import { loadEnvMarket } from '../rl/load-env-market.js';
import { loadTrainedPolicy } from '../rl/load-policy.js';
import type { TrainedPolicy } from '../rl/ppo.js';
import { initTfBackend, type TfBackendName } from '../rl/tf-backend.js';
import type { EnvMarket } from '../rl/trading-env.js';
import { replayPolicy, type ShadowReplay } from './shadow-replay.js';

/**
 * An experiment's trained policy run over a window of its market through the live trading
 * path (replayPolicy): what a shadow replay and a paper session on the simulated broker share.
 * `dirOf` gives a dependency's output directory by label (the experiment's bars and features
 * must be among the caller's deps).
 */
export async function replayExperiment(o: {
  experimentDir: string;
  dirOf: (label: string) => string;
  window: { start: string; end: string };
  risk: RiskConfig;
  runId: string;
  policyName: string;
}): Promise<{ replay: ShadowReplay; market: EnvMarket; backend: TfBackendName; config: ExperimentConfig }> {
  const config = experimentConfigSchema.parse(
    (JSON.parse(readFileSync(join(o.experimentDir, 'manifest.json'), 'utf8')) as { config: unknown }).config,
  );
  const backend = await initTfBackend();
  let policy: TrainedPolicy | undefined;
  try {
    policy = loadTrainedPolicy(join(o.experimentDir, 'model')).policy;
    const { market } = await loadEnvMarket(
      config,
      join(o.dirOf(config.from), 'equity_bars'),
      join(o.dirOf(config.features.from), 'features'),
      o.window,
    );
    const replay = await replayPolicy({
      market,
      policy,
      hmax: config.env.hmax,
      initialCash: config.env.initial_cash,
      costs: config.costs,
      risk: o.risk,
      runId: o.runId,
      policyName: o.policyName,
    });
    return { replay, market, backend, config };
  } finally {
    policy?.policy.dispose();
  }
}
