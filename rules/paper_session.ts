import { z } from 'zod';
import { metricsJson } from '../src/reports/metrics-json.js';
import { defineRule } from '../src/engine/rule-api.js';
import { riskConfigSchema } from '../src/execution/risk-config.js';
import { detectTfBackend } from '../src/rl/tf-backend.js';
import { jsonLines, replayExperimentOf, writeOutput } from './_outputs.js';
import { isoDateSchema } from '../src/data/schemas/iso-date.js';
import { targetLabelSchema } from '../src/data/schemas/target-label.js';

/**
 * A paper-trading session of an experiment's policy against the simulated broker over the
 * sample's sessions in a window: the live path (intents, risk engine, order router, broker,
 * ledger, reconciliation) with fills from the shared cost model. Every run writes decisions.json
 * (config, broker snapshots, intents with their inputs, risk decisions, orders, fills, ledger), so
 * each decision can be explained and replayed. On the simulated broker nothing leaves the
 * machine, so no promotion is required; Alpaca sessions are not in this rule.
 */
export default defineRule({
  name: 'paper_session',
  version: 1,
  description: 'a paper-trading session of a policy on the simulated broker',
  config: z
    .object({
      /** The experiment whose policy trades. */
      from: targetLabelSchema,
      broker: z.literal('simulated').default('simulated'),
      window: z.object({ start: isoDateSchema, end: isoDateSchema }).strict(),
      risk: riskConfigSchema.prefault({}),
    })
    .strict(),
  inputs: (c) => [c.from],
  outputs: ['decisions.json', 'metrics_paper.json', 'ledger.jsonl'],
  keyFacts: () => ({ tfjs_backend: detectTfBackend() }),
  async run(ctx) {
    const c = ctx.config;
    const { experiment, run } = replayExperimentOf(ctx, c.from);
    const { replay, market, backend, config } = await run();
    const write = (name: string, text: string) => writeOutput(ctx.outDir, name, text);
    write(
      'decisions.json',
      metricsJson({
        run_id: ctx.label,
        config: {
          experiment: c.from,
          experiment_outputs_digest: experiment.outputsDigest,
          broker: c.broker,
          window: c.window,
          risk: c.risk,
          costs: config.costs,
          hmax: config.env.hmax,
          initial_cash: config.env.initial_cash,
          backend,
        },
        broker: replay.broker,
        intents: replay.intents,
        risk_decisions: replay.decisions,
        orders: replay.orders,
        fills: replay.fills,
        reconciliation: replay.reconciliation,
        final_state: replay.final_state,
        halt_reason: replay.halt_reason,
      }),
    );
    write('ledger.jsonl', jsonLines(replay.ledger));
    write(
      'metrics_paper.json',
      metricsJson({
        window: { start: market.dates[0], end: market.dates.at(-1), sessions: market.dates.length },
        metrics: replay.metrics,
      }),
    );
    const m = replay.metrics;
    ctx.log.info(
      `${m.intents} intents, ${m.orders} orders, ${m.fills} fills on the simulated broker; final state ${m.final_state}`,
    );
  },
});
