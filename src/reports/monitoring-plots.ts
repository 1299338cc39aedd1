import type { HealthReport } from '../data/health/data-health.js';
import { horizontalBarChart } from './bar-chart.js';
import { lineChart } from './svg-charts.js';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf', '#7f7f7f'];
const colorOf = (i: number) => PALETTE[i % PALETTE.length]!;
const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Each symbol's worst field coverage against the calendar, breaching symbols in red, worst first. */
export function dataCoveragePlot(report: HealthReport): string {
  const breached = new Set(report.breaches.map((b) => b.symbol));
  const bars = Object.entries(report.symbols)
    .map(([symbol, s]) => {
      const [field, worst] = Object.entries(s.fields).sort(
        ([fa, a], [fb, b]) => a.coverage - b.coverage || (fa < fb ? -1 : 1),
      )[0]!;
      return { label: `${symbol} (${field})`, value: worst.coverage, flagged: breached.has(symbol) };
    })
    .sort((a, b) => a.value - b.value || (a.label < b.label ? -1 : 1));
  return horizontalBarChart({
    id: 'data-coverage',
    title: `Worst field coverage per symbol (${report.exchange}, ${report.calendar} calendar)`,
    bars,
    max: 1,
    format: percent,
  });
}

/** One training curve per experiment: a metric of each PPO iteration (curves.json rows), by iteration. */
export function trainingCurvePlot(
  metric: string,
  curves: readonly { label: string; rows: readonly Record<string, number>[] }[],
): string {
  const iterations = Math.max(0, ...curves.map((c) => c.rows.length));
  const dates = Array.from({ length: iterations }, (_, i) => `iteration ${i + 1}`);
  const series = curves.map((c, k) => ({
    name: c.label.slice(c.label.lastIndexOf('/') + 1),
    color: colorOf(k),
    values: Float64Array.from(dates, (_, i) => c.rows[i]?.[metric] ?? Number.NaN),
  }));
  return lineChart({ id: `training-${metric}`, title: `${metric} per PPO iteration`, dates, series });
}

/** Equity curves rebased to 1 at each one's first date, over the union of their dates (gaps break a line). */
export function equityPlot(
  curves: readonly { label: string; dates: readonly string[]; equity: readonly number[] }[],
): string {
  const dates = [...new Set(curves.flatMap((c) => c.dates))].sort();
  const index = new Map(dates.map((d, i) => [d, i]));
  const series = curves.map((c, k) => {
    const values = new Float64Array(dates.length).fill(Number.NaN);
    c.dates.forEach((d, i) => (values[index.get(d)!] = c.equity[i]! / c.equity[0]!));
    return { name: c.label.slice(c.label.lastIndexOf('/') + 1), color: colorOf(k), values };
  });
  return lineChart({ id: 'equity', title: 'Equity, rebased to 1', dates, series });
}
