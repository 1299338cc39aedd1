import { z } from 'zod';
import { metricsJson } from '../src/reports/metrics-json.js';
import { defineRule } from '../src/engine/rule-api.js';
import { riskConfigSchema } from '../src/execution/risk-config.js';
import { detectTfBackend } from '../src/rl/tf-backend.js';
import { jsonLines, replayExperimentOf, writeOutput } from './_outputs.js';
import { requirePromoted } from './_promotion-records.js';
import { isoDateSchema } from '../src/data/schemas/iso-date.js';
import { targetLabelSchema } from '../src/data/schemas/target-label.js';

/**
 * A shadow replay of a promoted experiment's policy over a window, through the intent, risk,
 * order and simulated-fill path paper trading uses, without a broker. It refuses unless its
 * promotion_status dep says the experiment's current outputs are promoted: that target
 * validates the records (and has them as srcs, so promoting changes its outputs and this key).
 */
export default defineRule({
  name: 'shadow_replay',
  version: 1,
  description: 'a promoted policy replayed through intents, risk and simulated fills',
  config: z
    .object({
      /**
       * The experiment whose policy is replayed, and a promotion_status target: the replay
       * refuses unless it says 'promoted'.
       */
      from: z.object({ experiment: targetLabelSchema, promotion: targetLabelSchema }).strict(),
      window: z.object({ start: isoDateSchema, end: isoDateSchema }).strict(),
      risk: riskConfigSchema.prefault({}),
    })
    .strict(),
  inputs: (c) => [c.from.experiment, c.from.promotion],
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
  keyFacts: () => ({ tfjs_backend: detectTfBackend() }),
  async run(ctx) {
    const c = ctx.config;
    const { experiment, run } = replayExperimentOf(ctx, c.from.experiment);
    const status = requirePromoted(ctx, c.from.promotion, c.from.experiment);
    if (status.experiment_outputs_digest !== experiment.outputsDigest)
      throw new Error(
        `${c.from.promotion} judged other outputs of ${c.from.experiment} than this replay reads: list the same experiment target in both`,
      );
    const { replay, market, backend, config: expConfig } = await run();

    const write = (name: string, text: string) => writeOutput(ctx.outDir, name, text);
    write(
      'metrics_sim.json',
      metricsJson({
        window: { start: market.dates[0], end: market.dates.at(-1), sessions: market.dates.length },
        metrics: replay.metrics,
      }),
    );
    write(
      'shadow/replay.json',
      metricsJson({
        experiment: c.from.experiment,
        experiment_outputs_digest: experiment.outputsDigest,
        promotion: { file: status.record!.file, sha256: status.record!.sha256 },
        backend,
        risk: c.risk,
        costs: expConfig.costs,
        run_id: ctx.label,
      }),
    );
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
      `${m.intents} intents (${m.approved} approved, ${m.resized} resized, ${m.rejected} rejected), ${m.fills} fills; Sharpe ${m.sharpe.toFixed(3)}; final state ${m.final_state}`,
    );
  },
});
