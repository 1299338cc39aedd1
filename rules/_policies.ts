import type { PluginUse, RuleContext } from '../src/engine/rule-api.js';
import type { RiskConfig } from '../src/execution/risk-config.js';
import type { ExperimentConfig } from '../src/rl/experiment-config.js';
import {
  experimentConfigOf,
  POLICY_STRATEGY,
  policyStrategyRef,
  policyTraded,
} from '../src/rl/experiment-policy-ref.js';
import type { StrategyRef } from '../src/strategy/strategy-ref.js';
import type { LoadedStrategy } from '../src/strategy/loaded-strategy.js';
import { strategyModuleOf } from '../src/strategy/strategy-ref.js';
import { inputOf } from './_inputs.js';
import { replayStrategyOf, strategyOf } from './_strategies.js';

/** The plugin a session of an experiment's policy loads (its source in the session's key), named by `at`. */
export function policyStrategyUse(at: readonly (string | number)[]): PluginUse {
  return { module: strategyModuleOf(POLICY_STRATEGY), namedAt: at };
}

/** An experiment dep's policy as a strategy, prepared on its model and features (both deps of the action). */
export async function experimentPolicyOf(
  ctx: RuleContext<unknown>,
  experimentLabel: string,
): Promise<{ config: ExperimentConfig; strategy: LoadedStrategy; ref: StrategyRef; outputsDigest: string }> {
  const experiment = inputOf(ctx, experimentLabel);
  const config = experimentConfigOf(experiment.dir());
  const ref = policyStrategyRef(experimentLabel, config);
  return { config, strategy: await strategyOf(ctx, ref), ref, outputsDigest: experiment.outputsDigest };
}

/**
 * An experiment's policy over a window of its market on the trading path (shadow replays and
 * paper sessions on the simulated broker): its bars, symbols, adjustment, costs and cash, as a
 * strategy's session takes its backtest's.
 */
export async function replayExperimentPolicy(
  ctx: RuleContext<{ window: { start: string; end: string }; risk: RiskConfig }>,
  experimentLabel: string,
) {
  const policy = await experimentPolicyOf(ctx, experimentLabel);
  const { config } = policy;
  const traded = policyTraded(config);
  const { session, window } = await replayStrategyOf(ctx, {
    strategy: policy.strategy,
    bars: traded.from,
    symbols: traded.symbols,
    adjust: traded.adjust,
    costs: config.costs,
    initialCash: traded.initial_cash,
    sizing: undefined,
    window: ctx.config.window,
    risk: ctx.config.risk,
  });
  return { ...policy, session, window };
}
