import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { HealthReport } from '../src/data/health/data-health.js';
import { openDuckDb, queryRows, sqlString } from '../src/data/store/duckdb.js';
import { defineRule } from '../src/engine/rule-api.js';
import { dataCoveragePlot, equityPlot, trainingCurvePlot } from '../src/reports/monitoring-plots.js';
import { writeOutput } from './_outputs.js';
import { inputDir } from './_inputs.js';
import { targetLabelSchema } from '../src/data/schemas/target-label.js';

/** The PPO diagnostics worth watching: reward, how far each update moved the policy, exploration. */
const TRAINING_METRICS = ['episode_reward', 'approx_kl', 'entropy'] as const;

/** Where each kind of target keeps its equity curve. */
const EQUITY_FILES = ['evaluation/equity.parquet', 'equity.parquet'];

/**
 * Monitoring plots (SVG) of a research program in one place (//monitoring/plots): data
 * coverage from a data_health target, PPO training curves of experiments, and equity curves of
 * experiments and backtests side by side. Pure functions of the inputs' bytes, like every report.
 */
export default defineRule({
  name: 'monitoring_plots',
  version: 1,
  description: 'SVG plots of data coverage, training curves and equity curves',
  config: z
    .object({
      /** A data_health target, the experiments whose training curves to plot, and the targets whose equity curves to plot. */
      from: z
        .object({
          data_health: targetLabelSchema,
          training: z.array(targetLabelSchema).min(1),
          equity: z.array(targetLabelSchema).min(1),
        })
        .strict(),
    })
    .strict(),
  inputs: (c) => [c.from.data_health, ...c.from.training, ...c.from.equity],
  outputs: ['data_coverage.svg', ...TRAINING_METRICS.map((m) => `training_${m}.svg`), 'equity.svg'],
  async run(ctx) {
    const c = ctx.config;
    const dirOf = (l: string) => inputDir(ctx, l);
    const health = JSON.parse(readFileSync(join(dirOf(c.from.data_health), 'health.json'), 'utf8')) as HealthReport;
    writeOutput(ctx.outDir, 'data_coverage.svg', dataCoveragePlot(health));

    const curves = c.from.training.map((l) => {
      const file = join(dirOf(l), 'training', 'curves.json');
      if (!existsSync(file)) throw new Error(`${l} has no training/curves.json: is it a ppo_experiment target?`);
      return { label: l, rows: JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>[] };
    });
    for (const metric of TRAINING_METRICS)
      writeOutput(ctx.outDir, `training_${metric}.svg`, trainingCurvePlot(metric, curves));

    const { connection, close } = await openDuckDb(1);
    try {
      const equity = [];
      for (const l of c.from.equity) {
        const file = EQUITY_FILES.map((f) => join(dirOf(l), f)).find((f) => existsSync(f));
        if (!file)
          throw new Error(`${l} has none of ${EQUITY_FILES.join(', ')}: is it a backtest or experiment target?`);
        const rows = await queryRows<{ date: string; equity: number }>(
          connection,
          `SELECT strftime(date, '%Y-%m-%d') AS date, equity FROM read_parquet(${sqlString(file)}) ORDER BY date`,
        );
        equity.push({ label: l, dates: rows.map((r) => r.date), equity: rows.map((r) => r.equity) });
      }
      writeOutput(ctx.outDir, 'equity.svg', equityPlot(equity));
    } finally {
      close();
    }
    ctx.log.info(
      `${Object.keys(health.symbols).length} symbols' coverage, ${curves.length} training curves, ${c.from.equity.length} equity curves`,
    );
  },
});
