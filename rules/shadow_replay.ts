import { strategyDataLabels } from '../src/strategy/strategy-ref.js';
import { z } from 'zod';
import { metricsJson } from '../src/reports/metrics-json.js';
import { defineRule, type RuleContext } from '../src/engine/rule-api.js';
import type { SessionRecord } from '../src/execution/replay-session.js';
import type { SessionMetrics } from '../src/execution/session-metrics.js';
import {
  checkSessionSubject,
  sessionSubjectShape,
  promotedStrategyOf,
  replayStrategyOf,
  strategyUse,
} from './_strategies.js';
import { riskConfigSchema } from '../src/execution/risk-config.js';
import { detectTfBackend } from '../src/rl/tf-backend-name.js';
import { jsonLines, writeOutput } from './_outputs.js';
import { policyStrategyUse, replayExperimentPolicy } from './_policies.js';
import { policyStrategyRef } from '../src/rl/experiment-policy-ref.js';
import { requirePromotedOutputs } from './_promotion-records.js';
import { isoDateSchema } from '../src/data/schemas/iso-date.js';

const shadowReplayConfigSchema = z
  .object({
    ...sessionSubjectShape,
    window: z.object({ start: isoDateSchema, end: isoDateSchema }).strict(),
    risk: riskConfigSchema.prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    checkSessionSubject(c, ctx);
    if (c.window.end < c.window.start)
      ctx.addIssue({ code: 'custom', path: ['window', 'end'], message: 'the window ends before it starts' });
  });

type ShadowConfig = z.infer<typeof shadowReplayConfigSchema>;

/**
 * A shadow replay of a promoted policy or strategy over a window, through the intent, risk,
 * order and simulated-fill path paper trading uses, without a broker. It refuses unless its
 * promotion_status dep says the experiment's (or backtest's) current outputs are promoted:
 * that target validates the records (and has them as srcs, so promoting changes its outputs
 * and this key). A strategy must also be the very settings and code the backtest recorded.
 */
export default defineRule({
  name: 'shadow_replay',
  version: 1,
  description: 'a promoted policy or strategy replayed through intents, risk and simulated fills',
  config: shadowReplayConfigSchema,
  inputs: (c) => [c.from.experiment, c.from.backtest, c.from.bars, c.from.promotion, ...strategyDataLabels(c.strategy)],
  plugins: (c) => [c.strategy ? strategyUse(c.strategy, ['strategy']) : policyStrategyUse(['from', 'experiment'])],
  outputs: [
    'metrics_sim.json',
    'shadow/replay.json',
    'shadow/intents.jsonl',
    'shadow/risk_decisions.jsonl',
    'shadow/orders.jsonl',
    'shadow/fills.jsonl',
    'shadow/ledger.jsonl',
    'shadow/equity.jsonl',
    'shadow/session.json',
  ],
  // A strategy may run a TensorFlow.js model (ppo_policy does), whose last bits depend on the backend.
  keyFacts: (): Record<string, string> => ({ tfjs_backend: detectTfBackend() }),
  async run(ctx) {
    const c = ctx.config;
    const { about, replay, dates } = c.from.backtest ? await strategyReplay(ctx) : await policyReplay(ctx);
    const write = (name: string, text: string) => writeOutput(ctx.outDir, name, text);
    write(
      'metrics_sim.json',
      metricsJson({
        window: { start: dates[0], end: dates.at(-1), sessions: dates.length },
        metrics: replay.metrics,
      }),
    );
    write('shadow/replay.json', metricsJson({ ...about, run_id: ctx.label }));
    write('shadow/intents.jsonl', jsonLines(replay.intents));
    write('shadow/risk_decisions.jsonl', jsonLines(replay.decisions));
    write('shadow/orders.jsonl', jsonLines(replay.orders));
    write('shadow/fills.jsonl', jsonLines(replay.fills));
    write(
      'shadow/session.json',
      metricsJson({
        broker: replay.broker,
        reconciliation: replay.reconciliation,
        final_state: replay.final_state,
        halt_reason: replay.halt_reason,
      }),
    );
    write('shadow/ledger.jsonl', jsonLines(replay.ledger));
    write('shadow/equity.jsonl', jsonLines(replay.equity));
    const m = replay.metrics;
    ctx.log.info(
      `${m.intents} intents (${m.approved} approved, ${m.resized} resized, ${m.rejected} rejected), ${m.fills} fills; Sharpe ${m.sharpe.toFixed(3)}; final state ${m.final_state}${m.halt_reason ? ` (${m.halt_reason})` : ''}`,
    );
  },
});

type ShadowContext = RuleContext<ShadowConfig>;

/** A replay: what was replayed and what authorised it (replay.json), the session, its dates. */
interface ShadowRun {
  about: Record<string, unknown>;
  replay: SessionRecord & { metrics: SessionMetrics };
  dates: readonly string[];
}

/** The promoted experiment's policy over the window: the ppo_policy strategy on its experiment's market. */
async function policyReplay(ctx: ShadowContext): Promise<ShadowRun> {
  const c = ctx.config;
  const label = c.from.experiment!;
  const status = requirePromotedOutputs(ctx, c.from.promotion, label);
  const { session, window, config, outputsDigest, strategy } = await replayExperimentPolicy(ctx, label);
  return {
    about: {
      experiment: label,
      experiment_outputs_digest: outputsDigest,
      promotion: { file: status.record!.file, sha256: status.record!.sha256 },
      strategy: policyStrategyRef(label, config),
      strategy_file: strategy.file,
      backend: detectTfBackend(),
      risk: c.risk,
      costs: config.costs,
    },
    replay: session,
    dates: window.dates,
  };
}

/** The promoted backtest's strategy over the window, on its bars, symbols, costs and cash. */
async function strategyReplay(ctx: ShadowContext): Promise<ShadowRun> {
  const c = ctx.config;
  const from = { backtest: c.from.backtest!, promotion: c.from.promotion, bars: c.from.bars! };
  const { record, strategy, status } = await promotedStrategyOf(ctx, from, c.strategy!);
  const { session, window } = await replayStrategyOf(ctx, {
    strategy,
    bars: record.from,
    symbols: record.symbols,
    adjust: record.adjust,
    costs: record.costs,
    initialCash: record.initial_cash,
    sizing: record.sizing,
    exits: record.exits,
    window: c.window,
    risk: c.risk,
  });
  return {
    about: {
      backtest: from.backtest,
      backtest_outputs_digest: status.experiment_outputs_digest,
      promotion: { file: status.record!.file, sha256: status.record!.sha256 },
      strategy: record.strategy,
      strategy_file: record.file,
      strategy_source_digest: record.source_digest,
      risk: c.risk,
      costs: record.costs,
      initial_cash: record.initial_cash,
      sizing: record.sizing,
      ...(record.exits ? { exits: record.exits } : {}),
    },
    replay: session,
    dates: window.dates,
  };
}
