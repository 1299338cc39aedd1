import { z } from 'zod';
import { backtestConfigShape } from './backtest-config.js';
import { sweepGridSchema } from './sweep-grid.js';
import { strategyBlockSchema } from '../strategy/strategy-ref.js';
import { PERFORMANCE_METRIC_NAMES } from '../evaluation/performance-metrics.js';

/** The metrics a sweep can choose its point by: larger is better for each. */
export const SELECTABLE_METRICS = ['sharpe', 'sortino', 'total_return', 'cagr', 'calmar', 'psr0'] as const;

/**
 * A sweep target's config (configs/sweeps/*.yaml): one vectorized strategy over a grid of its
 * settings on the same bars, costs and account as a backtest's, every point on the vectorized
 * engine. The point chosen is the best by `select.metric` over the sweep's period, which never
 * reaches into the reserve: a sweep cannot be a final evaluation.
 */
export const sweepConfigShape = {
  from: backtestConfigShape.from,
  symbols: backtestConfigShape.symbols,
  adjust: backtestConfigShape.adjust,
  start: backtestConfigShape.start,
  end: backtestConfigShape.end,
  reserve: backtestConfigShape.reserve,
  /**
   * The strategy (`kind`) and the settings every point shares; the grid sets the others, so the
   * block alone need not be complete: each point's settings are checked by the strategy's schema.
   */
  strategy: strategyBlockSchema,
  grid: sweepGridSchema,
  /** A point the strategy's schema rejects (fast >= slow): an error naming it, or skipped and counted. */
  invalid: z.enum(['error', 'skip']).default('error'),
  select: z
    .object({ metric: z.enum(SELECTABLE_METRICS).default('sharpe') })
    .strict()
    .prefault({}),
  /** The heatmap's axes (grid settings) and metric; the first two axes and the select metric when absent. */
  heatmap: z
    .object({ x: z.string(), y: z.string().optional(), metric: z.enum(PERFORMANCE_METRIC_NAMES).optional() })
    .strict()
    .optional(),
  /** The probability of backtest overfitting over the points (CSCV): its number of blocks, even. */
  pbo: z
    .object({ blocks: z.number().int().min(2).max(16).default(10) })
    .strict()
    .refine((p) => p.blocks % 2 === 0, { message: 'blocks must be even (half train, half test)', path: ['blocks'] })
    .prefault({}),
  /**
   * Combinatorial purged CV of choosing the best point by Sharpe ratio: `groups` of sessions,
   * `test_groups` tested per split, the `embargo` share dropped from training after each test
   * group (purging by the decision delay is automatic). One out-of-sample Sharpe per path.
   */
  cpcv: z
    .object({
      groups: z.number().int().min(2).max(16).default(6),
      test_groups: z.number().int().min(1).default(2),
      embargo: z.number().min(0).lt(0.5).default(0.01),
    })
    .strict()
    .refine((c) => c.test_groups < c.groups, {
      message: 'test_groups must be fewer than groups',
      path: ['test_groups'],
    })
    .prefault({}),
  sizing: backtestConfigShape.sizing,
  orders_on: backtestConfigShape.orders_on,
  costs: backtestConfigShape.costs,
  account: backtestConfigShape.account,
  periods_per_year: backtestConfigShape.periods_per_year,
};

/** The checks of a grid search's config (a sweep's or a walk-forward's): never on the reserve, each setting in one place. */
export function checkGridSearch(c: Pick<SweepConfig, 'reserve' | 'grid' | 'strategy'>, ctx: z.RefinementCtx): void {
  if (c.reserve?.final_evaluation)
    ctx.addIssue({
      code: 'custom',
      path: ['reserve', 'final_evaluation'],
      message:
        'a sweep chooses a point, and a point is never chosen on the reserve: evaluate the chosen one in a final-evaluation backtest',
    });
  for (const name of Object.keys(c.grid))
    if (name === 'kind' || name === 'data' || Object.hasOwn(c.strategy, name))
      ctx.addIssue({
        code: 'custom',
        path: ['grid', name],
        message: `'${name}' is ${name === 'kind' || name === 'data' ? 'not a setting' : 'set in strategy: too; set it in one place'}`,
      });
}

export const sweepConfigSchema = z
  .object(sweepConfigShape)
  .strict()
  .superRefine((c, ctx) => {
    checkGridSearch(c, ctx);
    for (const [key, axis] of [
      ['x', c.heatmap?.x],
      ['y', c.heatmap?.y],
    ] as const)
      if (axis !== undefined && !(axis in c.grid))
        ctx.addIssue({
          code: 'custom',
          path: ['heatmap', key],
          message: `'${axis}' is not an axis of the grid (${Object.keys(c.grid).join(', ')})`,
        });
  });

export type SweepConfig = z.infer<z.ZodObject<typeof sweepConfigShape>>;
