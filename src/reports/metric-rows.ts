import type { TearsheetMetricRow } from './tearsheet.js';

/** The metrics every tearsheet shows, in order: label, metric name, how to print it. */
const STANDARD: readonly [label: string, key: string, as: TearsheetMetricRow['as']][] = [
  ['Total return', 'total_return', 'percent'],
  ['CAGR', 'cagr', 'percent'],
  ['Annualised volatility', 'volatility', 'percent'],
  ['Sharpe', 'sharpe', 'ratio'],
  ['Sortino', 'sortino', 'ratio'],
  ['Max drawdown', 'max_drawdown', 'percent'],
  ['Calmar', 'calmar', 'ratio'],
  ['Probabilistic Sharpe (vs 0)', 'psr0', 'ratio'],
  ['Deflated Sharpe', 'dsr', 'ratio'],
  ['Turnover (annual)', 'turnover_annual', 'ratio'],
  ['Gross exposure (mean)', 'gross_exposure', 'percent'],
  ['Net exposure (mean)', 'net_exposure', 'percent'],
  ['Round trips', 'round_trips', 'count'],
  ['Hit rate', 'hit_rate', 'percent'],
  ['Average win', 'avg_win', 'money'],
  ['Average loss', 'avg_loss', 'money'],
  ['Fees', 'fees', 'money'],
  ['Slippage', 'slippage', 'money'],
  ['Borrow', 'borrow', 'money'],
];

/**
 * The tearsheet's metrics table from a metrics object (and the benchmark's, whose missing
 * metrics show as dashes); metrics the strategy does not have are left out. `trials` labels the
 * deflated Sharpe ratio with the number of trials it was deflated by.
 */
export function standardMetricRows(
  metrics: object,
  benchmark: object | undefined,
  trials: number,
): TearsheetMetricRow[] {
  const num = (x: unknown) => (typeof x === 'number' ? x : null);
  const m = metrics as Readonly<Record<string, unknown>>;
  const b = benchmark as Readonly<Record<string, unknown>> | undefined;
  return STANDARD.filter(([, key]) => key in m).map(([label, key, as]) => ({
    label: key === 'dsr' ? `${label} (${trials} trial${trials === 1 ? '' : 's'})` : label,
    value: num(m[key]),
    as,
    ...(b ? { benchmark: num(b[key]) } : {}),
  }));
}
