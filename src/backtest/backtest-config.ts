import { z } from 'zod';
import { costModelSchema } from '../costs/cost-model.js';
import { regimesSchema } from '../evaluation/regime-slices.js';
import { accountSchema, bracketSchema } from './account-config.js';
import { sizingSchema } from '../strategy/sizing.js';
import { strategyRefSchema } from '../strategy/strategy-ref.js';
import { isoDateSchema } from '../data/schemas/iso-date.js';
import { targetLabelSchema } from '../data/schemas/target-label.js';
import { monteCarloSchema } from '../evaluation/monte-carlo.js';

/** The keys of a backtest's config, for a rule that adds its own beside them (see backtestConfigSchema). */
export const backtestConfigShape = {
  /** The canonical bar target the backtest trades. */
  from: targetLabelSchema,
  /** Symbols traded; empty for every symbol in the bars. */
  symbols: z.array(z.string().min(1)).default([]),
  adjust: z.enum(['none', 'splits', 'total']).default('total'),
  /** First session traded (inclusive); the bars' first when absent. */
  start: isoDateSchema.optional(),
  /** Last session traded (inclusive); the bars' last (or the day before the reserve) when absent. */
  end: isoDateSchema.optional(),
  /**
   * The out-of-sample reserve: sessions from `from` on are not read at all (the query stops
   * before them) unless this is the final evaluation, which reads them and reports them apart.
   * `fraction` instead of `from` reserves the last share of the sessions in the backtest's
   * period (`{fraction: 0.2}`, the Master Plan's 20%), counted from the session calendar alone.
   */
  reserve: z
    .object({
      from: isoDateSchema.optional(),
      fraction: z.number().gt(0).lt(1).optional(),
      final_evaluation: z.boolean().default(false),
      /** The family of ideas this evaluation is a trial of, in the holdout ledger (default: the target's label; a matrix's, for each of its points). */
      family: z.string().min(1).optional(),
    })
    .strict()
    .optional(),
  /** The strategy traded: `kind: <name>` (strategies/<name>.ts) and its settings beside it. */
  strategy: strategyRefSchema,
  /** How a vectorized strategy's decisions become positions (src/strategy/sizing.ts); its own weights when absent. */
  sizing: sizingSchema.optional(),
  /**
   * every_bar: the target is asked for on every bar it is set (drift is traded back);
   * change: only when the strategy's target changes (a stop-loss exit then stays flat until it does).
   */
  orders_on: z.enum(['every_bar', 'change']).default('every_bar'),
  /**
   * vectorized and event_driven are the backtest engines; trading_path sends the strategy's
   * intents through the risk engine, the order router and the simulated exchange, as shadow
   * replays and paper sessions do (whole shares, sized at the decision's close).
   */
  engine: z.enum(['vectorized', 'event_driven', 'trading_path']).default('vectorized'),
  /** Exits on every position the strategy opens (engine event_driven, or trading_path as protective day orders). */
  bracket: bracketSchema.optional(),
  costs: costModelSchema.prefault({}),
  account: accountSchema.prefault({}),
  /** A symbol of the bars to compare against (plotted, and its metrics beside the strategy's). */
  benchmark: z.string().min(1).optional(),
  periods_per_year: z.number().positive().default(252),
  rolling_window: z.number().int().min(2).default(63),
  /**
   * The experiment's trials, for the deflated Sharpe ratio: how many configurations were
   * tried before this one was chosen, and the variance of their (per-period) Sharpe ratios.
   */
  trials: z
    .object({ count: z.number().int().min(1).default(1), sharpe_variance: z.number().min(0).default(0) })
    .strict()
    .prefault({}),
  /** Metrics per regime, by declared conditions on a regime feature set of one symbol. */
  regimes: regimesSchema.optional(),
  /** Confidence intervals by resampling: a seeded stationary bootstrap of returns and trade-order shuffles. */
  monte_carlo: monteCarloSchema.prefault({}),
};

/** The checks across keys of a backtest's config. */
export function checkBacktestConfig(c: z.infer<z.ZodObject<typeof backtestConfigShape>>, ctx: z.RefinementCtx): void {
  if (c.bracket && c.engine === 'vectorized')
    ctx.addIssue({
      code: 'custom',
      path: ['bracket'],
      message:
        "exits need engine: event_driven (on the bar's range) or engine: trading_path (protective day orders); the vectorized engine has no intrabar exits",
    });
  if (c.trials.count > 1 && c.trials.sharpe_variance === 0)
    ctx.addIssue({
      code: 'custom',
      path: ['trials', 'sharpe_variance'],
      message:
        'with more than one trial, give the variance of their Sharpe ratios (the deflated Sharpe ratio needs it)',
    });
  if (c.start && c.end && c.end < c.start)
    ctx.addIssue({
      code: 'custom',
      path: ['end'],
      message: `the backtest ends (${c.end}) before it starts (${c.start})`,
    });
  if (c.reserve && (c.reserve.from === undefined) === (c.reserve.fraction === undefined))
    ctx.addIssue({
      code: 'custom',
      path: ['reserve'],
      message:
        "give the reserve's start as one of from (a date: reserve: {from: '2019-01-01'}) or fraction (of the sessions: reserve: {fraction: 0.2})",
    });
  if (c.reserve?.from && c.start && c.start >= c.reserve.from)
    ctx.addIssue({
      code: 'custom',
      path: ['start'],
      message: `the backtest starts (${c.start}) inside the out-of-sample reserve (from ${c.reserve.from})`,
    });
  if (c.orders_on === 'change' && c.engine === 'trading_path')
    ctx.addIssue({
      code: 'custom',
      path: ['orders_on'],
      message: 'orders_on: change is for the backtest engines; on the trading path a strategy trades every decision',
    });
}

/** A backtest target's config (configs/backtests/*.yaml): what runs, on which bars, at what cost, judged how. */
export const backtestConfigSchema = z.object(backtestConfigShape).strict().superRefine(checkBacktestConfig);

export type BacktestConfig = z.infer<typeof backtestConfigSchema>;
