import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeRowsToParquetFile } from '../data/store/partitioned-writer.js';
import { PERFORMANCE_METRIC_NAMES } from '../evaluation/performance-metrics.js';
import { metricsJson } from '../reports/metrics-json.js';
import { heatmap } from '../reports/svg-charts.js';
import type { SweepConfig } from './sweep-config.js';
import { axisValues, type GridValue } from './sweep-grid.js';
import { pointName, type SweepPoint, type SweepResult } from './run-sweep.js';

export const SWEEP_OUTPUTS = ['sweep.parquet', 'heatmap.svg', 'metrics.json'] as const;

/** Each point's metrics, as a backtest's: the performance metrics (less the return count every point shares), round trips, fees. */
const METRIC_COLUMNS = [...PERFORMANCE_METRIC_NAMES.filter((m) => m !== 'n_returns'), 'round_trips', 'fees'] as const;

/** sweep.parquet (one row per point: its settings, then its metrics), heatmap.svg and metrics.json. */
export async function writeSweepOutputs(
  run: SweepResult,
  c: SweepConfig,
  outDir: string,
): Promise<Record<string, number>> {
  const axes = Object.keys(c.grid);
  const numeric = axes.map((a) => axisValues(c.grid[a]!).every((v) => typeof v === 'number'));
  const csv = (v: GridValue | number | null | undefined) =>
    v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))
      ? ''
      : typeof v === 'string'
        ? `"${v.replaceAll('"', '""')}"`
        : String(v);
  const lines = run.points.map((p) =>
    [
      p.index,
      ...axes.map((a) => csv(p.settings[a])),
      p.metrics ? 'true' : 'false',
      ...METRIC_COLUMNS.map((m) => csv(p.metrics?.[m])),
    ].join(','),
  );
  await writeRowsToParquetFile(
    {
      columns: [
        ['point', 'INTEGER'],
        ...axes.map((a, i) => [a, numeric[i] ? 'DOUBLE' : 'VARCHAR'] as [string, string]),
        ['valid', 'BOOLEAN'],
        ...METRIC_COLUMNS.map((m) => [m, 'DOUBLE'] as [string, string]),
      ],
      lines,
    },
    join(outDir, 'sweep.parquet'),
    'point',
  );
  writeFileSync(join(outDir, 'heatmap.svg'), sweepHeatmap(run, c));
  const valid = run.points.filter((p) => p.metrics);
  writeFileSync(
    join(outDir, 'metrics.json'),
    metricsJson({
      strategy: c.strategy,
      grid: Object.fromEntries(axes.map((a) => [a, axisValues(c.grid[a]!)])),
      points: run.points.length,
      valid: valid.length,
      skipped: run.points.filter((p) => !p.metrics).map((p) => ({ point: pointName(p.settings), why: p.rejected })),
      symbols: run.data.symbols,
      period: { start: run.data.dates[0]!, end: run.data.dates.at(-1)!, sessions: run.data.dates.length },
      reserve: c.reserve ? { from: run.reserveFrom, read: false } : null,
      select: {
        metric: c.select.metric,
        best: run.best ? { point: run.best.index, settings: run.best.settings, metrics: run.best.metrics } : null,
      },
      // The chosen point's own metrics, as backtests write them: what `quanto exp show` reads.
      metrics: run.best?.metrics ?? null,
      pbo: run.pbo ? { pbo: run.pbo.pbo, splits: run.pbo.splits, blocks: run.pbo.blocks, metric: 'sharpe' } : null,
      ...(run.pboSkipped ? { pbo_skipped: run.pboSkipped } : {}),
      cpcv: run.cpcv
        ? {
            ...run.cpcv,
            median_path_sharpe: [...run.cpcv.path_sharpe].sort((a, b) => a - b)[Math.floor(run.cpcv.paths / 2)],
          }
        : null,
    }),
  );
  return { 'sweep.parquet': lines.length };
}

/** The select metric (or the configured one) over two axes (or one), each cell the best over the other axes. */
function sweepHeatmap(run: SweepResult, c: SweepConfig): string {
  const axes = Object.keys(c.grid);
  const x = c.heatmap?.x ?? axes[0]!;
  const y = c.heatmap?.y ?? axes.find((a) => a !== x);
  const metric = c.heatmap?.metric ?? c.select.metric;
  const xs = axisValues(c.grid[x]!);
  const ys = y ? axisValues(c.grid[y]!) : [metric];
  const cells = new Map<string, number>();
  const keyOf = (p: SweepPoint) => `${String(p.settings[x])}\u0000${y ? String(p.settings[y]) : metric}`;
  for (const p of run.points) {
    const v = p.metrics?.[metric as keyof typeof p.metrics];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const k = keyOf(p);
    if (!cells.has(k) || v > cells.get(k)!) cells.set(k, v);
  }
  const fullAt = Math.max(1e-12, ...[...cells.values()].map(Math.abs));
  return heatmap({
    id: 'sweep',
    title: `${metric} over ${y ? `${y} x ${x}` : x}${axes.length > (y ? 2 : 1) ? ' (best over the other settings)' : ''}`,
    columns: xs.map(String),
    rows: ys.map(String),
    value: (row, col) => cells.get(`${String(xs[col])}\u0000${String(ys[row])}`),
    fullAt,
    label: (v) => (Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2)),
    axes: { rows: y ?? '', columns: x },
    cellWidth: 44,
  });
}
