import { z } from 'zod';
import { checkGridSearch, sweepConfigShape } from './sweep-config.js';

/**
 * A walk-forward target's config (configs/walk_forward/*.yaml): the grid search of a sweep,
 * repeated fold by fold. Each fold chooses the grid point best by `select.metric` on its
 * training window and trades it, untouched, over the test window that follows; the test windows
 * strung together are the out-of-sample record. Windows are counted in sessions of the bars.
 */
export const foldsSchema = z
  .object({
    /** Sessions in each training window (the first one's, when anchored). */
    train: z.number().int().min(3),
    /** Sessions in each test window. */
    test: z.number().int().min(2),
    /** Sessions from one fold's start to the next (default: test, so the test windows tile). */
    step: z.number().int().min(1).optional(),
    /** Anchored: every training window starts at the first session and grows; rolling (false): it moves. */
    anchored: z.boolean().default(false),
    /**
     * Sessions left out between a training window and its test window. A decision's return is
     * known delay_bars + 1 bars after it, so at least that many are left out whatever is set here:
     * no training return overlaps the test window.
     */
    purge: z.number().int().min(0).default(0),
  })
  .strict()
  .refine((f) => f.step === undefined || f.step >= f.test, {
    message: 'step shorter than test makes test windows overlap, and their out-of-sample returns would count twice',
    path: ['step'],
  });

const { heatmap: _heatmap, pbo: _pbo, cpcv: _cpcv, ...gridSearchShape } = sweepConfigShape;

export const walkForwardConfigSchema = z
  .object({ ...gridSearchShape, folds: foldsSchema })
  .strict()
  .superRefine(checkGridSearch);

export type WalkForwardConfig = z.infer<typeof walkForwardConfigSchema>;
export type FoldsConfig = z.infer<typeof foldsSchema>;
