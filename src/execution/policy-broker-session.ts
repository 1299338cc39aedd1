import { join } from 'node:path';
import { experimentConfigSchema } from '../rl/experiment-config.js';
import { loadEnvMarket } from '../rl/load-env-market.js';
import { loadTrainedPolicy } from '../rl/load-policy.js';
import { actDeterministic } from '../rl/ppo.js';
import { initTfBackend } from '../rl/tf-backend.js';
import { observationOf } from '../rl/trading-env.js';
import { intentsFromAction } from './action-intents.js';
import { latestBarWindow, type BarDecision } from './broker-decision.js';

/**
 * A trained experiment's policy deciding on the latest bar among the last 30 days of the built
 * data before `nowMs`: the observation the policy was trained on, its deterministic action and
 * the intents it implies (tradeOnce takes it from there).
 */
export async function policyDecision(o: {
  policyLabel: string;
  experimentDir: string;
  /** The experiment's validated config (its manifest's). */
  experimentConfig: unknown;
  /** Where a dependency label's outputs are. */
  dirOf: (label: string) => string;
  nowMs: number;
}): Promise<BarDecision> {
  const config = experimentConfigSchema.parse(o.experimentConfig);
  const window = latestBarWindow(o.nowMs);
  const { market } = await loadEnvMarket(
    config,
    join(o.dirOf(config.from), 'equity_bars'),
    join(o.dirOf(config.features.from), 'features'),
    window,
  );
  const t = market.dates.length - 1;
  if (t < 0) throw new Error(`no bars of ${config.from} in the 30 days before ${window.end}: build fresher data first`);
  const date = market.dates[t]!;
  await initTfBackend();
  const { policy } = loadTrainedPolicy(join(o.experimentDir, 'model'));
  const index = new Map(market.symbols.map((s, i) => [s, i]));
  return {
    label: o.policyLabel,
    date,
    initialCash: config.env.initial_cash,
    lastPrice: (s) => (index.has(s) ? market.close[index.get(s)!]![t]! : Number.NaN),
    decide: (book) => {
      const holdings = market.symbols.map((s) => book.position(s));
      const observation = observationOf(market, t, book.cash, holdings);
      return intentsFromAction({
        action: actDeterministic(policy, observation),
        symbols: market.symbols,
        holdings,
        hmax: config.env.hmax,
        prices: market.close.map((c) => c[t]!),
        date,
        policy: o.policyLabel,
      });
    },
    dispose: () => policy.policy.dispose(),
  };
}
