import { z } from 'zod';
import { strategyRefSchema } from '../strategy/strategy-ref.js';
import { costModelSchema } from '../costs/cost-model.js';
import { regimesSchema } from '../evaluation/regime-slices.js';
import { ppoSchema } from './ppo-config.js';
import { tradingEnvSchema } from './trading-env.js';
import { isoDateSchema } from '../data/schemas/iso-date.js';
import { targetLabelSchema } from '../data/schemas/target-label.js';

const window = z
  .object({ start: isoDateSchema, end: isoDateSchema })
  .strict()
  .refine((w) => w.start <= w.end, { message: 'start must not be after end' });

/** An RL experiment (configs/experiments/*.yaml): the market, the environment, PPO, and how the result is judged. */
export const experimentConfigSchema = z
  .object({
    /** The canonical bar target to trade. */
    from: targetLabelSchema,
    /** The universe; empty for every symbol in the bars. */
    symbols: z.array(z.string().min(1)).default([]),
    adjust: z.enum(['none', 'splits', 'total']).default('total'),
    /** The features of each asset in the state, in this order, from a feature set target. */
    features: z.object({ from: targetLabelSchema, columns: z.array(z.string().min(1)).min(1) }).strict(),
    /** Sessions the policy trains on, and the later, disjoint sessions it is evaluated on. */
    train: window,
    test: window,
    /** The family of ideas this experiment is a trial of, in the holdout ledger (default: the target's label; a matrix's, for each of its points). */
    family: z.string().min(1).optional(),
    /** Every random draw of the training (initial weights, action noise, minibatch order) comes from this seed. */
    seed: z.number().int().min(0).default(0),
    env: tradingEnvSchema.prefault({}),
    /**
     * The turbulence index over the universe (needed by env.turbulence_threshold): computed from
     * the loaded closes with this lookback, so the first `lookback` sessions of training have none.
     */
    turbulence: z
      .object({ lookback: z.number().int().min(2).default(252) })
      .strict()
      .optional(),
    costs: costModelSchema.prefault({}),
    ppo: ppoSchema.prefault({}),
    /** Metrics of the test window per regime, by declared conditions on a regime feature set of one symbol. */
    regimes: regimesSchema.optional(),
    /** Write every step of the final training episode and of the test episode as JSONL. */
    log_episodes: z.boolean().default(true),
    /** Baseline strategies (`kind: <name>` of strategies/<name>.ts) backtested on the test window with the same cost model. */
    baselines: z.array(strategyRefSchema).default([{ kind: 'buy_and_hold' }, { kind: 'equal_weight', every: 21 }]),
    /** Trials of this experiment family so far, for the deflated Sharpe ratio. */
    trials: z
      .object({ count: z.number().int().min(1).default(1), sharpe_variance: z.number().min(0).default(0) })
      .strict()
      .prefault({}),
    periods_per_year: z.number().positive().default(252),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.train.end >= c.test.start)
      ctx.addIssue({
        code: 'custom',
        path: ['test', 'start'],
        message: `the test window (from ${c.test.start}) must start after the training window ends (${c.train.end})`,
      });
    if (c.env.turbulence_threshold !== undefined && !c.turbulence)
      ctx.addIssue({
        code: 'custom',
        path: ['turbulence'],
        message: 'env.turbulence_threshold needs the turbulence index: add turbulence: {lookback: 252}',
      });
    if (c.trials.count > 1 && c.trials.sharpe_variance === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['trials', 'sharpe_variance'],
        message: 'with more than one trial, give the variance of their Sharpe ratios',
      });
  });

export type ExperimentConfig = z.infer<typeof experimentConfigSchema>;
