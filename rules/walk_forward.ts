import { join } from 'node:path';
import { runWalkForward } from '../src/backtest/run-walk-forward.js';
import { walkForwardConfigSchema } from '../src/backtest/walk-forward-config.js';
import { WALK_FORWARD_OUTPUTS, writeWalkForwardOutputs } from '../src/backtest/write-walk-forward-outputs.js';
import { defineRule } from '../src/engine/rule-api.js';
import { strategyDataLabels } from '../src/strategy/strategy-ref.js';
import { inputDir } from './_inputs.js';
import { gridStrategyLoader, gridStrategyUse } from './_strategies.js';

/**
 * Walk-forward optimisation: train/test windows over the bars (anchored or rolling), on each
 * fold the grid point best on the training window alone traded over the test window; the test
 * windows stitched into one out-of-sample equity curve, with per-fold and aggregate metrics.
 * The reserve is never read.
 */
export default defineRule({
  name: 'walk_forward',
  version: 1,
  description:
    "walk-forward optimisation of a vectorized strategy's settings: per-fold choices, stitched out-of-sample equity",
  config: walkForwardConfigSchema,
  inputs: (c) => [c.from, ...strategyDataLabels(c.strategy)],
  plugins: (c) => [gridStrategyUse(c.strategy)],
  outputs: [...WALK_FORWARD_OUTPUTS],
  async run(ctx) {
    const c = ctx.config;
    const run = await runWalkForward(c, {
      barsDir: join(inputDir(ctx, c.from), 'equity_bars'),
      strategyOf: gridStrategyLoader(ctx, c.strategy),
    });
    ctx.log.info(
      `${run.folds.length} folds; out of sample ${run.stitched.dates[0]} to ${run.stitched.dates.at(-1)}: Sharpe ${run.metrics.sharpe}`,
    );
    return { rows: await writeWalkForwardOutputs(run, c, ctx.outDir) };
  },
});
