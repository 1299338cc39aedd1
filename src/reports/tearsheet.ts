import { drawdownSeries, monthlyReturns, rebased, rollingSharpe } from '../evaluation/return-series.js';
import { escapeXml, lineChart, monthlyHeatmap } from './svg-charts.js';

export interface TearsheetMetricRow {
  label: string;
  value: number | null;
  benchmark?: number | null;
  /** How to print it: a share as a percentage, a ratio with two decimals, a count as is. */
  as: 'percent' | 'ratio' | 'count' | 'money';
}

export interface TearsheetInput {
  title: string;
  dates: readonly string[];
  equity: ArrayLike<number>;
  benchmark?: { name: string; values: ArrayLike<number> };
  grossExposure: ArrayLike<number>;
  netExposure: ArrayLike<number>;
  metrics: readonly TearsheetMetricRow[];
  /** Lines shown under the title: period, costs, reserve, engine. */
  notes: readonly string[];
  periodsPerYear: number;
  rollingWindow: number;
}

const show = (x: number | null | undefined, as: TearsheetMetricRow['as']): string => {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (as === 'percent') return `${(x * 100).toFixed(2)}%`;
  if (as === 'count') return String(Math.round(x));
  if (as === 'money') return x.toFixed(2);
  return x.toFixed(3);
};

/**
 * One self-contained HTML page per backtest: no scripts, no external files, every plot an
 * inline SVG (equity against the benchmark, drawdown, rolling Sharpe, monthly returns,
 * exposure) and the metrics table. Its bytes depend only on the input.
 */
export function renderTearsheet(o: TearsheetInput): string {
  const equity = rebased(o.equity);
  const series = [{ name: 'strategy', values: equity, color: '#1f5fbf' }];
  if (o.benchmark) series.push({ name: o.benchmark.name, values: rebased(o.benchmark.values), color: '#888888' });
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const charts = [
    lineChart({ id: 'equity', title: 'Equity against the benchmark (start = 1)', dates: o.dates, series }),
    lineChart({
      id: 'drawdown',
      title: 'Drawdown',
      dates: o.dates,
      series: [{ name: 'drawdown', values: drawdownSeries(o.equity), color: '#c0392b' }],
      area: true,
      format: pct,
    }),
    lineChart({
      id: 'rolling_sharpe',
      title: `Rolling Sharpe (${o.rollingWindow} bars)`,
      dates: o.dates,
      series: [
        {
          name: `rolling Sharpe ${o.rollingWindow}`,
          values: rollingSharpe(o.equity, o.rollingWindow, o.periodsPerYear),
          color: '#6c3483',
        },
      ],
    }),
    monthlyHeatmap('monthly_returns', monthlyReturns(o.dates, o.equity)),
    lineChart({
      id: 'exposure',
      title: 'Exposure',
      dates: o.dates,
      series: [
        { name: 'gross', values: o.grossExposure, color: '#117a65' },
        { name: 'net', values: o.netExposure, color: '#d68910' },
      ],
      format: pct,
    }),
  ];
  const headings = [
    'Equity against the benchmark',
    'Drawdown',
    `Rolling Sharpe (${o.rollingWindow} bars)`,
    'Monthly returns',
    'Gross and net exposure',
  ];
  const hasBenchmark = o.metrics.some((m) => m.benchmark !== undefined);
  const rows = o.metrics.map(
    (m) =>
      `<tr><th>${escapeXml(m.label)}</th><td>${show(m.value, m.as)}</td>${hasBenchmark ? `<td>${show(m.benchmark, m.as)}</td>` : ''}</tr>`,
  );
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(o.title)}</title>
<style>body{font-family:sans-serif;margin:24px;color:#222;background:#fff}h1{font-size:20px}h2{font-size:15px;margin:20px 0 4px}table{border-collapse:collapse}th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}th{text-align:left;font-weight:normal}p.note{margin:2px 0;color:#555;font-size:13px}</style>
</head><body>
<h1>${escapeXml(o.title)}</h1>
${o.notes.map((n) => `<p class="note">${escapeXml(n)}</p>`).join('\n')}
<h2>Metrics</h2>
<table id="metrics"><tr><th></th><th>strategy</th>${hasBenchmark ? `<th>${escapeXml(o.benchmark?.name ?? 'benchmark')}</th>` : ''}</tr>
${rows.join('\n')}
</table>
${charts.map((c, i) => `<h2>${escapeXml(headings[i]!)}</h2>\n${c}`).join('\n')}
</body></html>
`;
}
