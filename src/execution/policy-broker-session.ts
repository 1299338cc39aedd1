import { join } from 'node:path';
import { experimentConfigSchema } from '../rl/experiment-config.js';
import { loadEnvMarket } from '../rl/load-env-market.js';
import { loadTrainedPolicy } from '../rl/load-policy.js';
import { actDeterministic } from '../rl/ppo.js';
import { initTfBackend } from '../rl/tf-backend.js';
import { observationOf } from '../rl/trading-env.js';
import { intentsFromAction } from './action-intents.js';
import type { Broker } from './broker.js';
import { runBrokerSession, type BrokerSessionRecord } from './broker-session.js';
import type { RiskConfig } from './risk-config.js';

const DAY_MS = 86_400_000;
/** Daily bars are stamped at the US close (21:00 UTC): the stale-data check measures from there. */
const CLOSE_UTC_MS = 21 * 3_600_000;

/**
 * One decision of a trained experiment's policy against a real broker, on the latest bar among
 * the last 30 days of the built data before `nowMs`: the observation the policy was trained
 * on, its deterministic action, the intents it implies, then the broker session (risk,
 * routing, fills into the account's ledger, reconciliation). Shared by `quanto trade` and the
 * Alpaca paper targets, so both trade exactly alike.
 */
export async function tradePolicyOnce(o: {
  broker: Broker;
  policyLabel: string;
  experimentDir: string;
  /** The experiment's validated config (its manifest's). */
  experimentConfig: unknown;
  /** Where a dependency label's outputs are. */
  dirOf: (label: string) => string;
  ledgerFile: string;
  risk: RiskConfig;
  nowMs: number;
  killSwitch?: () => string | null;
}): Promise<{ date: string; record: BrokerSessionRecord }> {
  const config = experimentConfigSchema.parse(o.experimentConfig);
  const today = new Date(o.nowMs).toISOString().slice(0, 10);
  const { market } = await loadEnvMarket(
    config,
    join(o.dirOf(config.from), 'equity_bars'),
    join(o.dirOf(config.features.from), 'features'),
    { start: new Date(o.nowMs - 30 * DAY_MS).toISOString().slice(0, 10), end: today },
  );
  const t = market.dates.length - 1;
  if (t < 0) throw new Error(`no bars of ${config.from} in the 30 days before ${today}: build fresher data first`);
  const date = market.dates[t]!;
  await initTfBackend();
  const { policy } = loadTrainedPolicy(join(o.experimentDir, 'model'));
  const index = new Map(market.symbols.map((s, i) => [s, i]));
  try {
    const record = await runBrokerSession({
      broker: o.broker,
      ledgerFile: o.ledgerFile,
      initialCash: config.env.initial_cash,
      risk: o.risk,
      runId: `${o.policyLabel}@${date}`,
      decidedAt: date,
      barTimeMs: Date.parse(`${date}T00:00:00Z`) + CLOSE_UTC_MS,
      nowMs: o.nowMs,
      lastPrice: (s) => (index.has(s) ? market.close[index.get(s)!]![t]! : Number.NaN),
      ...(o.killSwitch ? { killSwitch: o.killSwitch } : {}),
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
    });
    return { date, record };
  } finally {
    policy.policy.dispose();
  }
}
