import { join } from 'node:path';
import { runSweep } from '../src/backtest/run-sweep.js';
import { sweepConfigSchema } from '../src/backtest/sweep-config.js';
import { SWEEP_OUTPUTS, writeSweepOutputs } from '../src/backtest/write-sweep-outputs.js';
import { defineRule } from '../src/engine/rule-api.js';
import { strategyDataLabels } from '../src/strategy/strategy-ref.js';
import { inputDir } from './_inputs.js';
import { gridStrategyLoader, gridStrategyUse } from './_strategies.js';

/**
 * A parameter sweep: one vectorized strategy over every point of a grid of its settings, each
 * point backtested on the same bars with the same costs, in one target (thousands of points
 * are one action, where a pipeline matrix makes one target per point). Writes sweep.parquet
 * (settings x metrics), a heatmap, and metrics.json with the best point by the select metric
 * and the probability of backtest overfitting over the grid. The reserve is never read.
 */
export default defineRule({
  name: 'sweep',
  version: 1,
  description: "a vectorized strategy's parameter grid: settings x metrics, a heatmap, the best point and its PBO",
  config: sweepConfigSchema,
  inputs: (c) => [c.from, ...strategyDataLabels(c.strategy)],
  plugins: (c) => [gridStrategyUse(c.strategy)],
  outputs: [...SWEEP_OUTPUTS],
  async run(ctx) {
    const c = ctx.config;
    const run = await runSweep(c, {
      barsDir: join(inputDir(ctx, c.from), 'equity_bars'),
      strategyOf: gridStrategyLoader(ctx, c.strategy),
    });
    ctx.log.info(
      `${run.points.length} points, ${run.points.filter((p) => p.metrics).length} valid; best ${c.select.metric} ${run.best?.metrics?.[c.select.metric] ?? 'none'}; PBO ${run.pbo?.pbo ?? run.pboSkipped}`,
    );
    return { rows: await writeSweepOutputs(run, c, ctx.outDir) };
  },
});
