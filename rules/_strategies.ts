import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { join } from 'node:path';
import { checkTradable, loadMarketData } from '../src/backtest/load-market-data.js';
import type { CostModel } from '../src/costs/cost-model.js';
import { dayAfter } from '../src/data/calendar/civil-date.js';
import type { RiskConfig } from '../src/execution/risk-config.js';
import type { Sizing } from '../src/strategy/sizing.js';
import type { OrderExits } from '../src/strategy/strategy-context.js';
import { replayStrategy } from '../src/execution/strategy-session.js';
import {
  BACKTESTED_STRATEGY_OUTPUT,
  parseBacktestedStrategy,
  type BacktestedStrategy,
} from '../src/backtest/backtested-strategy.js';
import type { PluginUse, RuleContext } from '../src/engine/rule-api.js';
import type { PromotionStatus } from '../src/governance/promotion-status.js';
import { inputDir, inputOf } from './_inputs.js';
import { requirePromotedOutputs } from './_promotion-records.js';
import { loadPreparedStrategy, type LoadedStrategy } from '../src/strategy/loaded-strategy.js';
import { strategyModuleOf, strategyRefSchema, type StrategyRef } from '../src/strategy/strategy-ref.js';
import { targetLabelSchema } from '../src/data/schemas/target-label.js';

/** The plugin a config's strategy reference at `at` names: strategies/<kind>.ts, its settings beside `kind`. */
export function strategyUse(ref: StrategyRef, at: readonly (string | number)[]): PluginUse {
  return {
    module: strategyModuleOf(ref.kind),
    namedAt: [...at, 'kind'],
    settingsAt: at,
    settingsExcept: ['kind', 'data'],
  };
}

/**
 * The strategy a reference names, as the engine loaded it for this action, with its settings,
 * prepared on the targets it reads (its `data:`, which the rule lists among its inputs with
 * strategyDataLabels).
 */
export async function strategyOf(ctx: RuleContext<unknown>, ref: StrategyRef): Promise<LoadedStrategy> {
  const module = strategyModuleOf(ref.kind);
  if (!(module in ctx.plugins))
    throw new Error(`${ctx.label}: the strategy ${module} was not loaded: the rule must list it in plugins()`);
  return loadPreparedStrategy(ctx.plugins[module], ref, `${module}.ts`, (label) => inputDir(ctx, label));
}

/** The digest of the sources of the strategy a reference names, as this action's key holds them. */
export function strategyDigestOf(ctx: RuleContext<unknown>, ref: StrategyRef): string {
  const digest = ctx.pluginDigests[strategyModuleOf(ref.kind)];
  if (!digest) throw new Error(`${ctx.label}: the strategy ${strategyModuleOf(ref.kind)} was not loaded`);
  return digest;
}

/** JSON with every object's keys sorted: two settings blocks are the same when these are. */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** The labels a session of a promoted strategy reads: the backtest promoted, its promotion_status, the bars it trades. */
export interface PromotedStrategyLabels {
  backtest: string;
  promotion: string;
  bars: string;
}

/**
 * The strategy a promoted backtest traded, for a session of it (a shadow replay, a broker
 * session): refused unless the promotion_status dep says the backtest's current outputs are
 * promoted, and unless this session names the same strategy, settings and code as the
 * backtest recorded (share the strategy block between the two configs with `extends:`).
 */
export async function promotedStrategyOf(
  ctx: RuleContext<unknown>,
  from: PromotedStrategyLabels,
  ref: StrategyRef,
): Promise<{ record: BacktestedStrategy; strategy: LoadedStrategy; status: PromotionStatus }> {
  const status = requirePromotedOutputs(ctx, from.promotion, from.backtest);
  const backtest = inputOf(ctx, from.backtest);
  const file = backtest.files[BACKTESTED_STRATEGY_OUTPUT];
  if (!file)
    throw new Error(
      `${from.backtest} has no ${BACKTESTED_STRATEGY_OUTPUT}: a strategy's session trades a backtest target's strategy`,
    );
  const record = parseBacktestedStrategy(from.backtest, readFileSync(file, 'utf8'));
  if (sortedJson(record.strategy) !== sortedJson(ref))
    throw new Error(
      `refused: this session's strategy ${sortedJson(ref)} is not the one ${from.backtest} backtested and was promoted with (${sortedJson(record.strategy)}); share one strategy block between both configs with extends:`,
    );
  if (strategyDigestOf(ctx, ref) !== record.source_digest)
    throw new Error(
      `refused: the code of ${record.file} is not the code ${from.backtest} was promoted with (sources ${strategyDigestOf(ctx, ref).slice(0, 12)}, promoted ${record.source_digest.slice(0, 12)}): build and promote the backtest again`,
    );
  if (record.from !== from.bars)
    throw new Error(
      `${from.backtest} traded the bars of ${record.from}, not ${from.bars}: set from.bars to ${record.from}`,
    );
  return { record, strategy: await strategyOf(ctx, ref), status };
}

/**
 * A strategy's session over a window of its bars on the trading path (shadow replays and paper
 * sessions on the simulated broker): the bars up to the window's end, its warm-up before it.
 */
export async function replayStrategyOf(
  ctx: RuleContext<unknown>,
  o: {
    strategy: LoadedStrategy;
    bars: string;
    symbols: readonly string[];
    adjust: 'none' | 'splits' | 'total';
    costs: CostModel;
    initialCash: number;
    sizing: Sizing | undefined;
    exits?: OrderExits | undefined;
    window: { start: string; end: string };
    risk: RiskConfig;
  },
): Promise<Awaited<ReturnType<typeof replayStrategy>>> {
  const history = await loadMarketData({
    storeDir: join(inputDir(ctx, o.bars), 'equity_bars'),
    symbols: [...o.symbols].sort(),
    adjust: o.adjust,
    start: null,
    endExclusive: dayAfter(o.window.end),
  });
  checkTradable(history, o.costs, o.bars);
  return replayStrategy({
    strategy: o.strategy,
    history,
    windowStart: o.window.start,
    costs: o.costs,
    initialCash: o.initialCash,
    maxLeverage: o.risk.max_gross_leverage,
    ...(o.sizing ? { sizing: o.sizing } : {}),
    ...(o.exits ? { exits: o.exits } : {}),
    risk: o.risk,
    runId: ctx.label,
  });
}

/** The keys of a session config that say what trades: a policy or a promoted backtest's strategy (see checkSessionSubject). */
export const sessionSubjectShape = {
  /**
   * What trades, and a promotion_status target (the session refuses unless it says
   * 'promoted'): an experiment's policy (`experiment:`), or the strategy of a backtest
   * (`backtest:`, with `bars:` the canonical bars it trades and `strategy:` its strategy).
   */
  from: z
    .object({
      experiment: targetLabelSchema.optional(),
      backtest: targetLabelSchema.optional(),
      bars: targetLabelSchema.optional(),
      promotion: targetLabelSchema,
    })
    .strict(),
  /** With from.backtest: the strategy that trades, which must be the backtest's (share the block with extends:). */
  strategy: strategyRefSchema.optional(),
};

/**
 * The checks of a session config that trades either an experiment's policy (`from.experiment`)
 * or a backtest's strategy (`from.backtest`, `from.bars` and `strategy:`): shadow replays and
 * broker sessions share them.
 */
export function checkSessionSubject(
  c: { from: { experiment?: string; backtest?: string; bars?: string }; strategy?: StrategyRef },
  ctx: z.RefinementCtx,
): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if ((c.from.experiment === undefined) === (c.from.backtest === undefined))
    return issue(['from'], 'name exactly one of experiment (a policy) or backtest (a strategy)');
  if (c.from.backtest !== undefined) {
    if (c.from.bars === undefined) issue(['from', 'bars'], 'a strategy session needs the canonical bars it trades');
    if (c.strategy === undefined)
      issue(['strategy'], "a strategy session names its strategy (the backtest's: share the block with extends:)");
  } else {
    if (c.from.bars !== undefined) issue(['from', 'bars'], "a policy's session reads its experiment's bars");
    if (c.strategy !== undefined) issue(['strategy'], "strategy: is for from.backtest; a policy's session has none");
  }
}

/**
 * A loader of the strategy a grid search names, for one point's settings at a time (the
 * sweep and walk_forward rules): prepared on its `data:` like any other use of it.
 */
export function gridStrategyLoader(
  ctx: RuleContext<unknown>,
  ref: StrategyRef,
): (settings: Record<string, unknown>) => Promise<LoadedStrategy> {
  const module = strategyModuleOf(ref.kind);
  if (!(module in ctx.plugins)) throw new Error(`${ctx.label}: the strategy ${module} was not loaded`);
  return (settings) =>
    loadPreparedStrategy(
      ctx.plugins[module],
      { kind: ref.kind, ...(ref.data ? { data: ref.data } : {}), ...settings },
      `${module}.ts`,
      (label) => inputDir(ctx, label),
    );
}

/** The plugin a grid search's strategy names: its settings are checked point by point when it runs, not at planning. */
export function gridStrategyUse(ref: StrategyRef): PluginUse {
  return { module: strategyModuleOf(ref.kind), namedAt: ['strategy', 'kind'] };
}
