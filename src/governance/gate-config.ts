import { z } from 'zod';
import { targetLabelSchema } from '../data/schemas/target-label.js';

/** What a gate measures: a metric of the candidate, in a regime or overall, alone or less the baseline's. */
const measure = {
  /** A metric name from the candidate's metrics (sharpe, max_drawdown, gross_exposure_max, ...), or deflated_sharpe. */
  metric: z.string().min(1),
  /** Measure inside this regime slice instead of over the whole window. */
  regime: z.string().min(1).optional(),
  /** Measure the candidate's value minus the baseline's. */
  vs_baseline: z.boolean().default(false),
};

export const hardGateSchema = z
  .object({ name: z.string().min(1), ...measure, op: z.enum(['>=', '>', '<=', '<']), threshold: z.number() })
  .strict()
  .refine((g) => !(g.metric === 'deflated_sharpe' && (g.regime || g.vs_baseline)), {
    message: 'deflated_sharpe is measured over the whole window of the candidate alone',
  });

export const softEvidenceSchema = z.object({ name: z.string().min(1), ...measure, weight: z.number().min(0) }).strict();

/**
 * A qualification's gate config (configs/gates/*.yaml): the candidate and its declared
 * baseline (both targets among the qualification's deps), the holdout ledger (among its srcs)
 * and the family whose trials deflate the candidate's Sharpe ratio, hard gates that must all
 * pass, and soft evidence that is reported with its weight but never blocks.
 */
export const gateConfigSchema = z
  .object({
    /** The candidate (an experiment or a backtest) and its declared baseline. */
    from: z.object({ candidate: targetLabelSchema, baseline: targetLabelSchema }).strict(),
    ledger: z.string().min(1).default('ledger/holdout.jsonl'),
    family: z.string().min(1),
    periods_per_year: z.number().positive().default(252),
    hard: z.array(hardGateSchema).min(1),
    soft: z.array(softEvidenceSchema).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    const names = [...c.hard, ...c.soft].map((g) => g.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup)
      ctx.addIssue({
        code: 'custom',
        path: ['hard'],
        message: `two gates are named ${dup}: names identify gates in the report`,
      });
  });

export type GateConfig = z.infer<typeof gateConfigSchema>;
export type HardGate = z.infer<typeof hardGateSchema>;
export type SoftEvidence = z.infer<typeof softEvidenceSchema>;
