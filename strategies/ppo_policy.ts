import { createHash } from 'node:crypto';
import { z } from 'zod';
import { loadTradingPolicy, tradingPolicyTrades } from '../src/rl/trading-policy.js';
import { defineStrategy } from '../src/strategy/define-strategy.js';

/**
 * A trained PPO experiment's policy as a strategy (a model-backed one): on each close it
 * observes what the trading environment showed it in training (cash, each asset's close,
 * holdings and features of that date) and trades its deterministic action the way the
 * environment reads it, hmax shares per unit, sells before buys, never short. The experiment and
 * the feature set it trained on are data the strategy declares; a session of an experiment's
 * policy (`from: {experiment: ...}`) binds both itself, and a backtest binds them under `data:`.
 * The model's weights and the features are outputs of those deps, so retraining rebuilds what
 * the policy fed, and nothing else.
 */
export default defineStrategy({
  name: 'ppo_policy',
  version: 1,
  description: "a trained PPO experiment's policy: its deterministic action on each close, as its environment reads it",
  config: z.object({}).strict(),
  data: {
    experiment: 'a trained PPO experiment (the ppo_experiment rule)',
    features: 'the feature set the experiment trained on (its features.from)',
  },
  prepare: (_c, data) => loadTradingPolicy(data.experiment!, data.features!),
  start: (_c, symbols, policy) => {
    const missing = policy.symbols.filter((s) => !symbols.includes(s));
    if (missing.length > 0)
      throw new Error(
        `the policy trades ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not among the symbols given it: trade the experiment's symbols`,
      );
    // The latest close of each asset, carried over a day without a bar, as the environment carries it.
    const lastClose = new Float64Array(policy.symbols.length).fill(Number.NaN);
    return {
      onBar(ctx) {
        policy.symbols.forEach((s, i) => {
          const close = ctx.close(s);
          if (Number.isFinite(close)) lastClose[i] = close;
        });
        const unpriced = policy.symbols.filter((_, i) => Number.isNaN(lastClose[i]!));
        if (unpriced.length > 0)
          throw new Error(`the policy observes every asset's close and ${unpriced.join(', ')} has none yet`);
        const { trades, action, observation } = tradingPolicyTrades(policy, {
          date: ctx.date,
          cash: ctx.cash,
          close: (i) => lastClose[i]!,
          holding: (i) => ctx.position(policy.symbols[i]!),
        });
        // Enough to replay the decision: the policy's exact observation, by digest, and its action.
        ctx.note({ observation_sha256: createHash('sha256').update(new Uint8Array(observation.buffer)).digest('hex') });
        for (const { asset, shares } of trades) {
          ctx.note({ action: action[asset]! }, policy.symbols[asset]!);
          ctx.order(policy.symbols[asset]!, shares);
        }
      },
    };
  },
});
