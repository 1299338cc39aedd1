import { z } from 'zod';
import { join } from 'node:path';
import { defineRule, type RuleContext } from '../src/engine/rule-api.js';
import { decideOnAlpaca, requireAlpacaKeys, sessionSummary } from '../src/execution/alpaca-decision.js';
import type { BarDecision } from '../src/execution/broker-decision.js';
import { policyTraded } from '../src/rl/experiment-policy-ref.js';
import { experimentPolicyOf, policyStrategyUse } from './_policies.js';
import { riskConfigSchema, type RiskConfig } from '../src/execution/risk-config.js';
import { strategyDecision } from '../src/execution/strategy-broker-decision.js';
import { strategyDataLabels, type StrategyRef } from '../src/strategy/strategy-ref.js';
import { checkSessionSubject, sessionSubjectShape, promotedStrategyOf, strategyUse } from './_strategies.js';
import { inputDir } from './_inputs.js';
import { requirePromoted } from './_promotion-records.js';
import { writeOutput } from './_outputs.js';

/**
 * One decision of a promoted policy or strategy on Alpaca's paper account (//paper/alpaca/<id>),
 * exactly as `quanto trade --broker alpaca-paper` makes it: the latest built bar, the risk
 * engine, the order router, fills appended to the account's ledger (a workspace file listed in
 * srcs, shared with `quanto trade`, so a new fill changes this key), reconciliation. An external
 * target: tag it manual, so that wildcards and verify never place orders. The keys come from
 * APCA_API_KEY_ID and APCA_API_SECRET_KEY only and are in no key, log or output;
 * APCA_API_BASE_URL points it at another server. It reads the clock (QUANTO_NOW overrides it)
 * for the stale-data check alone: a broker session is about now, and this one never verifies.
 */
export default defineRule({
  name: 'alpaca_paper_session',
  version: 1,
  description: 'one decision of a promoted policy or strategy on the Alpaca paper account',
  config: z
    .object({
      ...sessionSubjectShape,
      /** The account's append-only ledger: a workspace file, among this target's srcs. */
      account_ledger: z.string().min(1),
      risk: riskConfigSchema.prefault({}),
    })
    .strict()
    .superRefine((c, ctx) => checkSessionSubject(c, ctx)),
  inputs: (c) => [c.from.experiment, c.from.backtest, c.from.bars, c.from.promotion, ...strategyDataLabels(c.strategy)],
  plugins: (c) => [c.strategy ? strategyUse(c.strategy, ['strategy']) : policyStrategyUse(['from', 'experiment'])],
  outputs: ['decisions.json'],
  async run(ctx) {
    const c = ctx.config;
    requireAlpacaKeys(process.env, 'paper');
    const ledgerFile = ctx.srcs[c.account_ledger];
    if (!ledgerFile)
      throw new Error(
        `the account ledger ${c.account_ledger} is not among this target's srcs: add it (an empty file to start), so that each fill changes this key`,
      );
    const { decision, about } = c.from.backtest ? await strategySubject(ctx) : await policySubject(ctx);
    const { date, record, decisionsJson } = await decideOnAlpaca({
      account: 'paper',
      env: process.env,
      decision,
      about,
      ledgerFile,
      risk: c.risk,
    });
    writeOutput(ctx.outDir, 'decisions.json', decisionsJson);
    ctx.log.info(sessionSummary(date, record));
    if (record.final_state === 'HALTED')
      throw new Error(
        `the session halted: ${record.halt_reason}; the account's ledger keeps every fill, see ${c.account_ledger}`,
      );
  },
});

type AlpacaContext = RuleContext<{
  from: { experiment?: string; backtest?: string; bars?: string; promotion: string };
  strategy?: StrategyRef;
  risk: RiskConfig;
}>;

/** What decides and what authorised it (decisions.json's config). */
interface Subject {
  decision: (nowMs: number) => Promise<BarDecision>;
  about: Record<string, unknown>;
}

/** A promoted experiment's policy: the ppo_policy strategy on its experiment's bars, universe and cash. */
async function policySubject(ctx: AlpacaContext): Promise<Subject> {
  const c = ctx.config;
  const label = c.from.experiment!;
  const status = requirePromoted(ctx, c.from.promotion, label);
  const { config, strategy, ref } = await experimentPolicyOf(ctx, label);
  const record = policyTraded(config);
  return {
    decision: (nowMs) =>
      strategyDecision({
        label,
        record,
        strategy,
        barsDir: join(inputDir(ctx, record.from), 'equity_bars'),
        nowMs,
        maxLeverage: c.risk.max_gross_leverage,
      }),
    about: {
      experiment: label,
      experiment_outputs_digest: status.experiment_outputs_digest,
      promotion: status.record,
      strategy: ref,
      strategy_file: strategy.file,
    },
  };
}

async function strategySubject(ctx: AlpacaContext): Promise<Subject> {
  const c = ctx.config;
  const from = { backtest: c.from.backtest!, promotion: c.from.promotion, bars: c.from.bars! };
  const { record, strategy, status } = await promotedStrategyOf(ctx, from, c.strategy!);
  return {
    decision: (nowMs) =>
      strategyDecision({
        label: from.backtest,
        record,
        strategy,
        barsDir: join(inputDir(ctx, record.from), 'equity_bars'),
        nowMs,
        maxLeverage: c.risk.max_gross_leverage,
      }),
    about: {
      backtest: from.backtest,
      backtest_outputs_digest: status.experiment_outputs_digest,
      promotion: status.record,
      strategy: record.strategy,
      strategy_file: record.file,
      strategy_source_digest: record.source_digest,
    },
  };
}
