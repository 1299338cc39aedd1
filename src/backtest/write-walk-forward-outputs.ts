import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeRowsToParquetFile } from '../data/store/partitioned-writer.js';
import { metricsJson } from '../reports/metrics-json.js';
import { lineChart } from '../reports/svg-charts.js';
import type { WalkForwardRun } from './run-walk-forward.js';
import { axisValues } from './sweep-grid.js';
import type { WalkForwardConfig } from './walk-forward-config.js';

export const WALK_FORWARD_OUTPUTS = ['equity.parquet', 'equity.svg', 'metrics.json'] as const;

/** equity.parquet (the stitched out-of-sample equity, by date, with its fold), equity.svg and metrics.json. */
export async function writeWalkForwardOutputs(
  run: WalkForwardRun,
  c: WalkForwardConfig,
  outDir: string,
): Promise<Record<string, number>> {
  const { dates, equity, fold } = run.stitched;
  const lines = dates.map((d, t) => `${d},${equity[t]},${fold[t]}`);
  await writeRowsToParquetFile(
    {
      columns: [
        ['date', 'DATE'],
        ['equity', 'DOUBLE'],
        ['fold', 'INTEGER'],
      ],
      lines,
    },
    join(outDir, 'equity.parquet'),
    'date, fold',
  );
  writeFileSync(
    join(outDir, 'equity.svg'),
    lineChart({
      id: 'walk_forward_equity',
      title: `Out-of-sample equity over ${run.folds.length} folds`,
      dates,
      series: [{ name: 'walk-forward', values: equity, color: '#1f77b4' }],
    }),
  );
  writeFileSync(
    join(outDir, 'metrics.json'),
    metricsJson({
      strategy: c.strategy,
      grid: Object.fromEntries(Object.entries(c.grid).map(([a, axis]) => [a, axisValues(axis)])),
      select: c.select,
      folds_config: c.folds,
      symbols: run.data.symbols,
      period: { start: dates[0]!, end: dates.at(-1)!, sessions: dates.length },
      reserve: c.reserve ? { from: run.reserveFrom, read: false } : null,
      // The stitched out-of-sample record: what `quanto exp show` lists.
      metrics: run.metrics,
      folds: run.folds,
    }),
  );
  return { 'equity.parquet': lines.length };
}
