import { z } from 'zod';
import { costModelSchema } from '../src/costs/cost-model.js';
import { metricsJson } from '../src/reports/metrics-json.js';
import { defineRule, type RuleContext } from '../src/engine/rule-api.js';
import type { SessionRecord } from '../src/execution/replay-session.js';
import type { SessionMetrics } from '../src/execution/session-metrics.js';
import { riskConfigSchema } from '../src/execution/risk-config.js';
import { detectTfBackend } from '../src/rl/tf-backend-name.js';
import { bracketSchema } from '../src/backtest/account-config.js';
import { sizingSchema } from '../src/strategy/sizing.js';
import { strategyRefSchema } from '../src/strategy/strategy-ref.js';
import { jsonLines, writeOutput } from './_outputs.js';
import { policyStrategyUse, replayExperimentPolicy } from './_policies.js';
import { replayStrategyOf, strategyOf, strategyUse } from './_strategies.js';
import { strategyDataLabels } from '../src/strategy/strategy-ref.js';
import { isoDateSchema } from '../src/data/schemas/iso-date.js';
import { targetLabelSchema } from '../src/data/schemas/target-label.js';

const paperSessionConfigSchema = z
  .object({
    /** The experiment whose policy trades; with `strategy:`, the canonical bar target the strategy trades. */
    from: targetLabelSchema,
    /** The strategy that trades (instead of an experiment's policy): `kind: <name>` and its settings beside it. */
    strategy: strategyRefSchema.optional(),
    /** With `strategy:`: the symbols it trades (every symbol of the bars when absent). */
    symbols: z.array(z.string().min(1)).optional(),
    /** With `strategy:`: how prices are adjusted, as in a backtest. */
    adjust: z.enum(['none', 'splits', 'total']).optional(),
    /** With `strategy:`: the cost model of the fills (a policy's session uses its experiment's). */
    costs: costModelSchema.optional(),
    /** With `strategy:`: the account's starting cash. */
    initial_cash: z.number().positive().optional(),
    /** With `strategy:`: how its decisions become positions, as in a backtest (its own weights when absent). */
    sizing: sizingSchema.optional(),
    /** With `strategy:`: exits on every position it opens, as protective day orders (a backtest's `bracket:`). */
    bracket: bracketSchema.optional(),
    broker: z.literal('simulated').default('simulated'),
    window: z.object({ start: isoDateSchema, end: isoDateSchema }).strict(),
    risk: riskConfigSchema.prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.strategy)
      for (const key of ['symbols', 'adjust', 'costs', 'initial_cash', 'sizing', 'bracket'] as const)
        if (c[key] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `${key} is for a strategy's session (strategy:); a policy's session takes its experiment's`,
          });
    if (c.window.end < c.window.start)
      ctx.addIssue({ code: 'custom', path: ['window', 'end'], message: 'the window ends before it starts' });
  });

type PaperSessionConfig = z.infer<typeof paperSessionConfigSchema>;

/**
 * A paper-trading session on the simulated broker over the sample's sessions in a window, of an
 * experiment's policy (`from:` the experiment) or of a strategy (`strategy:`, `from:` its
 * bars): the live path (intents, risk engine, order router, broker, ledger, reconciliation) with
 * fills from the shared cost model. Every run writes decisions.json (config, broker snapshots, intents with
 * their inputs, risk decisions, orders, fills, reconciliation), so each decision can be
 * explained and replayed. On the simulated broker nothing leaves the machine, so no promotion
 * is required; Alpaca sessions are not in this rule.
 */
export default defineRule({
  name: 'paper_session',
  version: 1,
  description: 'a paper-trading session of a policy or a strategy on the simulated broker',
  config: paperSessionConfigSchema,
  inputs: (c) => [c.from, ...strategyDataLabels(c.strategy)],
  plugins: (c) => [c.strategy ? strategyUse(c.strategy, ['strategy']) : policyStrategyUse(['from'])],
  outputs: ['decisions.json', 'metrics_paper.json', 'ledger.jsonl', 'equity.jsonl'],
  // A strategy may run a TensorFlow.js model (ppo_policy does), whose last bits depend on the backend.
  keyFacts: (): Record<string, string> => ({ tfjs_backend: detectTfBackend() }),
  async run(ctx) {
    const c = ctx.config;
    const { config, session, dates } = c.strategy ? await strategySession(ctx) : await policySession(ctx);
    const write = (name: string, text: string) => writeOutput(ctx.outDir, name, text);
    write(
      'decisions.json',
      metricsJson({
        run_id: ctx.label,
        config,
        broker: session.broker,
        intents: session.intents,
        risk_decisions: session.decisions,
        orders: session.orders,
        fills: session.fills,
        reconciliation: session.reconciliation,
        final_state: session.final_state,
        halt_reason: session.halt_reason,
      }),
    );
    write('ledger.jsonl', jsonLines(session.ledger));
    write('equity.jsonl', jsonLines(session.equity));
    write(
      'metrics_paper.json',
      metricsJson({
        window: { start: dates[0], end: dates.at(-1), sessions: dates.length },
        metrics: session.metrics,
      }),
    );
    const m = session.metrics;
    ctx.log.info(
      `${m.intents} intents, ${m.orders} orders, ${m.fills} fills on the simulated broker; final state ${m.final_state}${m.halt_reason ? ` (${m.halt_reason})` : ''}`,
    );
  },
});

type PaperContext = RuleContext<PaperSessionConfig>;

/** What a session writes: what traded and how (decisions.json's `config`), the session, the window's dates. */
interface PaperRun {
  config: Record<string, unknown>;
  session: SessionRecord & { metrics: SessionMetrics };
  dates: readonly string[];
}

/** A strategy's session: its bars to the window's end (its warm-up before the window), on the trading path. */
async function strategySession(ctx: PaperContext): Promise<PaperRun> {
  const c = ctx.config;
  const costs = c.costs ?? costModelSchema.parse({});
  const strategy = await strategyOf(ctx, c.strategy!);
  const initialCash = c.initial_cash ?? 1_000_000;
  const { session, window } = await replayStrategyOf(ctx, {
    strategy,
    bars: c.from,
    symbols: c.symbols ?? [],
    adjust: c.adjust ?? 'total',
    costs,
    initialCash,
    sizing: c.sizing,
    exits: c.bracket,
    window: c.window,
    risk: c.risk,
  });
  return {
    config: {
      strategy: c.strategy,
      strategy_file: strategy.file,
      from: c.from,
      broker: c.broker,
      window: c.window,
      risk: c.risk,
      costs,
      initial_cash: initialCash,
      ...(c.sizing ? { sizing: c.sizing } : {}),
      ...(c.bracket ? { bracket: c.bracket } : {}),
    },
    session,
    dates: window.dates,
  };
}

/** An experiment's policy's session: the ppo_policy strategy on its experiment's market, costs and cash. */
async function policySession(ctx: PaperContext): Promise<PaperRun> {
  const c = ctx.config;
  const { session, window, config, outputsDigest, ref, strategy } = await replayExperimentPolicy(ctx, c.from);
  return {
    config: {
      experiment: c.from,
      experiment_outputs_digest: outputsDigest,
      strategy: ref,
      strategy_file: strategy.file,
      broker: c.broker,
      window: c.window,
      risk: c.risk,
      costs: config.costs,
      hmax: config.env.hmax,
      initial_cash: config.env.initial_cash,
      backend: detectTfBackend(),
    },
    session,
    dates: window.dates,
  };
}
