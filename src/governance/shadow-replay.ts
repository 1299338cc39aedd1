import { createHash } from 'node:crypto';
import type { CostModel } from '../costs/cost-model.js';
import { intentsFromAction } from '../execution/action-intents.js';
import type { RiskConfig } from '../execution/risk-config.js';
import { runReplaySession, type SessionRecord } from '../execution/replay-session.js';
import { sessionMetrics, type SessionMetrics } from '../execution/session-metrics.js';
import { actDeterministic, type TrainedPolicy } from '../rl/ppo.js';
import { observationOf, type EnvMarket } from '../rl/trading-env.js';

export interface ShadowReplay extends SessionRecord {
  metrics: SessionMetrics;
}

/**
 * Replays a trained policy over a window through the path paper trading takes, without a
 * broker (runReplaySession on a simulated exchange): at each close the policy's action, read as
 * the trading environment reads it, becomes order intents for the risk engine, the router and
 * the simulated fills. The same inputs give the same bytes.
 */
export async function replayPolicy(o: {
  market: EnvMarket;
  policy: TrainedPolicy;
  hmax: number;
  initialCash: number;
  costs: CostModel;
  risk: RiskConfig;
  runId: string;
  policyName: string;
}): Promise<ShadowReplay> {
  const { market } = o;
  const session = await runReplaySession({
    bars: market,
    costs: o.costs,
    initialCash: o.initialCash,
    risk: o.risk,
    runId: o.runId,
    decide: (t, book) => {
      const observation = observationOf(market, t, book.cash, book.holdings);
      return intentsFromAction({
        action: actDeterministic(o.policy, observation),
        symbols: market.symbols,
        holdings: book.holdings,
        hmax: o.hmax,
        prices: market.close.map((c) => c[t]!),
        date: market.dates[t]!,
        policy: o.policyName,
        // Enough to replay the decision: the policy's exact observation, by digest.
        inputs: { observation_sha256: createHash('sha256').update(new Uint8Array(observation.buffer)).digest('hex') },
      });
    },
  });
  return { ...session, metrics: sessionMetrics(session) };
}
