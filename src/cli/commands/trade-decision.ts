import { existsSync, readFileSync } from 'node:fs';
import { BACKTESTED_STRATEGY_OUTPUT, parseBacktestedStrategy } from '../../backtest/backtested-strategy.js';
import { pluginTaskEntry } from '../../engine/scheduling/plugin-registry.js';
import type { Session } from '../../engine/session.js';
import { experimentConfigOf, policyStrategyRef, policyTraded } from '../../rl/experiment-policy-ref.js';
import { strategyDecision } from '../../execution/strategy-broker-decision.js';
import type { RiskConfig } from '../../execution/risk-config.js';
import { loadPreparedStrategy } from '../../strategy/loaded-strategy.js';
import { strategyModuleOf } from '../../strategy/strategy-ref.js';
import { join } from 'node:path';
import { writeFileAtomic } from '../../engine/store/atomic-write.js';
import { build } from '../../engine/scheduling/build.js';
import { ConfigError, EXIT_FAILURE } from '../../engine/errors.js';
import { parseDepLabel } from '../../engine/pipeline/label.js';
import { holdBuildLock } from '../../engine/store/locks.js';
import {
  AlpacaSettingsError,
  decideOnAlpaca,
  requireAlpacaKeys,
  sessionSummary,
} from '../../execution/alpaca-decision.js';
import { BrokerError } from '../../execution/broker.js';
import { LedgerFileError } from '../../execution/broker-session.js';
import { killSwitchFromFile, KILL_FILE } from '../../execution/kill-file.js';
import { LIVE_TRADING_ENV, liveTradingRefusals } from '../../execution/live-guard.js';
import { riskConfigSchema } from '../../execution/risk-config.js';
import type { CliIO } from '../io.js';
import type { GlobalOptions } from '../command-context.js';
import { openSession } from './open.js';
import { currentPromotion, evidenceOf, subjectIdOf } from '../promotion-evidence.js';
import { loadRiskFile } from '../risk-file.js';

/**
 * quanto trade //experiments/ID --broker alpaca-paper|alpaca-live: one trading decision of a
 * promoted policy against Alpaca on the latest bar the workspace has built. Paper needs a
 * candidate promotion of the experiment's current outputs; live needs every gate of the live
 * guard. Keys come from APCA_API_KEY_ID and APCA_API_SECRET_KEY only (APCA_API_BASE_URL points
 * it at another server). Fills go to the account's append-only ledger (ledger/<paper|live>/ID.jsonl);
 * the session's decisions.json goes under runs/ID/. QUANTO_NOW sets the clock (replays, tests).
 */
export async function tradeCommand(
  io: CliIO,
  globals: GlobalOptions,
  label: string,
  opts: { broker: string; live?: boolean; confirm?: string; risk?: string },
): Promise<number> {
  if (opts.broker !== 'alpaca-paper' && opts.broker !== 'alpaca-live')
    throw new ConfigError(
      `--broker must be alpaca-paper or alpaca-live, got '${opts.broker}' (the simulated broker runs as a //paper/ target)`,
    );
  const live = opts.broker === 'alpaca-live';
  const session = await openSession(io, globals);
  const name = parseDepLabel(label);
  if (!name || !session.pipeline.targets.has(name))
    throw new ConfigError(`${label} is not a target in quanto.pipeline.yaml`);
  const id = subjectIdOf(name);
  asUsageError(() => requireAlpacaKeys(process.env, live ? 'live' : 'paper'));
  const risk = opts.risk ? await loadRiskFile(session, io.cwd, opts.risk) : riskConfigSchema.parse({});
  const qualification = parseDepLabel(`//qualification/${id}`)!;
  if (!session.pipeline.targets.has(qualification))
    throw new ConfigError(
      `trading //${name} needs its qualification, //${qualification}, in quanto.pipeline.yaml: promotion records are checked against it`,
    );

  const release = holdBuildLock(session.workspace);
  let result;
  try {
    result = await build(session, [`//${name}`, `//${qualification}`], { jobs: 0 });
    session.save();
  } finally {
    release();
  }
  // A record counts only with the qualification it cites, as built now for these outputs: a hand-written file does not unlock trading.
  const evidence = evidenceOf(session, result.actions, name, qualification, 'candidate');
  const promoted = (tier: 'candidate' | 'production') =>
    currentPromotion(session, { ...evidence, tier }, id) !== undefined;
  const refusals = live
    ? liveTradingRefusals({
        liveFlag: opts.live === true,
        env: process.env,
        productionRecord: promoted('production'),
        confirmation: opts.confirm,
        expectedConfirmation: `LIVE //${name}`,
      })
    : promoted('candidate')
      ? []
      : [
          `there is no candidate promotion record of //${name}'s current outputs (quanto promote //${name} --tier candidate)`,
        ];
  if (refusals.length > 0) {
    io.err(`quanto trade: refused ${live ? 'live' : 'paper'} trading of //${name}:`);
    for (const r of refusals) io.err(`  ${r}`);
    if (live)
      io.err(
        `  (live trading needs --live, ${LIVE_TRADING_ENV.name}=${LIVE_TRADING_ENV.value}, a production record and --confirm "LIVE //${name}")`,
      );
    return EXIT_FAILURE;
  }

  const baseUrl = process.env.APCA_API_BASE_URL;
  const subject = await tradeSubject(session, name, risk, evidence.outputsDigest);
  const { date, record, decisionsJson } = await decideOnAlpaca({
    account: live ? 'live' : 'paper',
    env: process.env,
    ...subject,
    ledgerFile: join(session.workspace.root, 'ledger', live ? 'live' : 'paper', `${id.replaceAll('/', '_')}.jsonl`),
    risk,
    killSwitch: killSwitchFromFile(join(session.workspace.root, KILL_FILE)),
  }).catch((err: unknown) => {
    throw brokerUsageError(err, baseUrl) ?? err;
  });
  const file = join(session.workspace.root, 'runs', id, `${date}-${live ? 'live' : 'paper'}`, 'decisions.json');
  writeFileAtomic(file, decisionsJson);
  io.out(`quanto trade: ${sessionSummary(date, record)}; ${file.slice(session.workspace.root.length + 1)}`);
  return record.final_state === 'HALTED' ? EXIT_FAILURE : 0;
}

/**
 * A broker that refuses the keys or cannot be reached is a problem of this machine's settings,
 * not of the session: a clear message and exit 2, as for any usage error.
 */
function brokerUsageError(err: unknown, baseUrl: string | undefined): ConfigError | undefined {
  // A ledger someone edited by hand is for a person to restore, like a bad config; so are the clock and the keys.
  if (err instanceof LedgerFileError || err instanceof AlpacaSettingsError) return new ConfigError(err.message);
  if (!(err instanceof BrokerError)) return undefined;
  if (err.status === 401 || err.status === 403)
    return new ConfigError(
      `the broker refused the keys (${err.message}): check APCA_API_KEY_ID and APCA_API_SECRET_KEY (paper keys for alpaca-paper)`,
    );
  if (err.status === undefined && err.message.startsWith('network:'))
    return new ConfigError(
      `cannot reach the broker at ${baseUrl ?? "Alpaca's API"} (${err.message}): check APCA_API_BASE_URL and the network`,
    );
  return undefined;
}

/** Runs a check of this machine's settings, its failure a usage error (exit 2). */
function asUsageError<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    throw brokerUsageError(err, undefined) ?? err;
  }
}

/**
 * What decides for a promoted target: a backtest's strategy (it wrote strategy.json: the code
 * is loaded as the build loaded it, and must be the code it recorded) or an experiment's policy.
 */
async function tradeSubject(
  session: Session,
  name: string,
  risk: RiskConfig,
  outputsDigest: string,
): Promise<Pick<Parameters<typeof decideOnAlpaca>[0], 'decision' | 'about'>> {
  const dir = join(session.workspace.outDir, name);
  const dirOf = (l: string) => join(session.workspace.outDir, l.slice(2));
  const strategyFile = join(dir, BACKTESTED_STRATEGY_OUTPUT);
  if (!existsSync(strategyFile)) {
    // An experiment's policy trades as a strategy too (ppo_policy on the experiment and its features, deps it was built with).
    const config = experimentConfigOf(dir);
    const ref = policyStrategyRef(`//${name}`, config);
    const plugin = await session.plugins.resolve(strategyModuleOf(ref.kind));
    const strategy = await loadPreparedStrategy(plugin.value, ref, plugin.file, dirOf);
    const record = policyTraded(config);
    return {
      decision: (nowMs) =>
        strategyDecision({
          label: `//${name}`,
          record,
          strategy,
          barsDir: join(dirOf(record.from), 'equity_bars'),
          nowMs,
          maxLeverage: risk.max_gross_leverage,
        }),
      about: {
        experiment: `//${name}`,
        experiment_outputs_digest: outputsDigest,
        strategy: ref,
        strategy_file: plugin.file,
      },
    };
  }
  const record = parseBacktestedStrategy(`//${name}`, readFileSync(strategyFile, 'utf8'));
  const plugin = await session.plugins.resolve(strategyModuleOf(record.strategy.kind));
  if (pluginTaskEntry(plugin).sourcesDigest !== record.source_digest)
    throw new Error(`the code of ${plugin.file} is not the code //${name} recorded: build and promote it again`);
  // Its data are deps of the backtest, built with it: their outputs are where the build left them.
  const strategy = await loadPreparedStrategy(plugin.value, record.strategy, plugin.file, dirOf);
  return {
    decision: (nowMs) =>
      strategyDecision({
        label: `//${name}`,
        record,
        strategy,
        barsDir: join(dirOf(record.from), 'equity_bars'),
        nowMs,
        maxLeverage: risk.max_gross_leverage,
      }),
    about: {
      backtest: `//${name}`,
      backtest_outputs_digest: outputsDigest,
      strategy: record.strategy,
      strategy_file: record.file,
      strategy_source_digest: record.source_digest,
    },
  };
}
