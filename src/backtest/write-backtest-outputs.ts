import type { Interval, MonteCarloReport } from '../evaluation/monte-carlo.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDuckDb } from '../data/store/duckdb.js';
import { writeRowsAsParquet } from '../data/store/partitioned-writer.js';
import { drawdownSeries } from '../evaluation/return-series.js';
import { standardMetricRows } from '../reports/metric-rows.js';
import { metricsJson } from '../reports/metrics-json.js';
import { renderTearsheet } from '../reports/tearsheet.js';
import type { BacktestConfig } from './backtest-config.js';
import type { BacktestRun } from './run-backtest.js';
import { roundTrips } from './trade-stats.js';
import { regimeSlicesReport } from '../evaluation/regime-slices.js';

/** The files a backtest target writes (the rule declares them). */
export const REGIME_SLICES_OUTPUT = 'evaluation/regime_slices.json';
export const BACKTEST_OUTPUTS = [
  'equity.parquet',
  'positions.parquet',
  'orders.parquet',
  'fills.parquet',
  'trades.parquet',
  'exposure.parquet',
  'metrics.json',
  'tearsheet.html',
  REGIME_SLICES_OUTPUT,
] as const;

const cell = (x: number) => (Number.isFinite(x) ? String(x) : '');
const text = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/** One Parquet table of a backtest: its columns (name, DuckDB type), its sort order, and its rows as CSV lines. */
interface BacktestTable {
  /** The file's stem, also the name its row count is reported under. */
  readonly name: 'equity' | 'positions' | 'orders' | 'fills' | 'trades' | 'exposure';
  readonly columns: readonly (readonly [string, string])[];
  readonly orderBy: string;
  lines(run: BacktestRun): string[];
}

const D = 'DOUBLE';

/** The tables every backtest writes, each in an explicit order so rebuilds give the same bytes. */
const BACKTEST_TABLES: readonly BacktestTable[] = [
  {
    name: 'equity',
    columns: [
      ['date', 'DATE'],
      ['equity', D],
      ['return', D],
      ['drawdown', D],
      ['benchmark', D],
    ],
    orderBy: 'date',
    lines: ({ data, result, benchmark }) => {
      const dd = drawdownSeries(result.equity);
      return data.dates.map((date, t) =>
        [
          date,
          cell(result.equity[t]!),
          t === 0 ? '' : cell(result.equity[t]! / result.equity[t - 1]! - 1),
          cell(dd[t]!),
          benchmark ? cell(benchmark.values[t]!) : '',
        ].join(','),
      );
    },
  },
  {
    name: 'positions',
    columns: [
      ['date', 'DATE'],
      ['symbol', 'VARCHAR'],
      ['shares', D],
      ['value', D],
      ['weight', D],
    ],
    orderBy: 'date, symbol',
    lines: ({ data, result }) => {
      const lines: string[] = [];
      for (let t = 0; t < data.dates.length; t++) {
        for (let s = 0; s < data.symbols.length; s++) {
          const shares = result.positions[s]![t]!;
          if (shares === 0) continue;
          // Valued at the last close known (a symbol may not trade every session).
          let price = Number.NaN;
          for (let k = t; k >= 0 && Number.isNaN(price); k--) price = data.close[s]![k]!;
          lines.push(
            [
              data.dates[t]!,
              text(data.symbols[s]!),
              cell(shares),
              cell(shares * price),
              cell((shares * price) / result.equity[t]!),
            ].join(','),
          );
        }
      }
      return lines;
    },
  },
  {
    name: 'orders',
    columns: [
      ['order_id', 'BIGINT'],
      ['decided', 'DATE'],
      ['due', 'DATE'],
      ['symbol', 'VARCHAR'],
      ['kind', 'VARCHAR'],
      ['requested', D],
      ['shares', D],
      ['filled', D],
      ['status', 'VARCHAR'],
      ['reason', 'VARCHAR'],
    ],
    orderBy: 'order_id',
    lines: ({ result }) =>
      result.orders.map((o, i) =>
        [
          i,
          o.decided,
          o.due,
          text(o.symbol),
          o.kind,
          cell(o.requested),
          cell(o.shares),
          cell(o.filled),
          o.status,
          o.reason,
        ].join(','),
      ),
  },
  {
    name: 'fills',
    columns: [
      ['fill_id', 'BIGINT'],
      ['order_id', 'BIGINT'],
      ['decided', 'DATE'],
      ['date', 'DATE'],
      ['symbol', 'VARCHAR'],
      ['ordered', D],
      ['shares', D],
      ['price', D],
      ['fee', D],
      ['reason', 'VARCHAR'],
    ],
    orderBy: 'fill_id',
    lines: ({ result }) =>
      result.trades.map((f, i) =>
        [
          i,
          f.order,
          f.decided,
          f.date,
          text(f.symbol),
          cell(f.ordered),
          cell(f.shares),
          cell(f.price),
          cell(f.fee),
          f.reason,
        ].join(','),
      ),
  },
  {
    name: 'trades',
    columns: [
      ['symbol', 'VARCHAR'],
      ['side', 'VARCHAR'],
      ['opened', 'DATE'],
      ['closed', 'DATE'],
      ['pnl', D],
    ],
    orderBy: 'closed, symbol, opened, side, pnl',
    lines: ({ result }) =>
      roundTrips(result.trades).map((r) => [text(r.symbol), r.side, r.opened, r.closed, cell(r.pnl)].join(',')),
  },
  {
    name: 'exposure',
    columns: [
      ['date', 'DATE'],
      ['gross_exposure', D],
      ['net_exposure', D],
      ['turnover', D],
    ],
    orderBy: 'date',
    lines: ({ data, result }) =>
      data.dates.map((date, t) =>
        [date, cell(result.grossExposure[t]!), cell(result.netExposure[t]!), cell(result.turnover[t]!)].join(','),
      ),
  },
];

/** Writes every output of a backtest run: Parquet tables in explicit order, metrics.json, the regime slices, the tearsheet. */
export async function writeBacktestOutputs(
  run: BacktestRun,
  c: BacktestConfig,
  outDir: string,
  title: string,
): Promise<Record<string, number>> {
  const rows = await writeTables(run, outDir);
  writeMetrics(run, c, outDir);
  writeRegimeSlices(run, c, outDir);
  writeTearsheet(run, c, outDir, title);
  return rows;
}

/** The Parquet tables, on one DuckDB connection; returns each table's row count. */
async function writeTables(run: BacktestRun, outDir: string): Promise<Record<string, number>> {
  const rows: Record<string, number> = {};
  const { connection, close } = await openDuckDb(1);
  try {
    for (const table of BACKTEST_TABLES) {
      const lines = table.lines(run);
      await writeRowsAsParquet(
        connection,
        { columns: table.columns.map(([n, t]) => [n, t] as [string, string]), lines },
        join(outDir, `${table.name}.parquet`),
        table.orderBy,
      );
      rows[table.name] = lines.length;
    }
  } finally {
    close();
  }
  return rows;
}

function periodOf(run: BacktestRun) {
  return { start: run.data.dates[0]!, end: run.data.dates.at(-1)!, sessions: run.data.dates.length };
}

function writeMetrics(run: BacktestRun, c: BacktestConfig, outDir: string): void {
  const reserve = c.reserve
    ? {
        from: run.reserveFrom,
        ...(c.reserve.fraction !== undefined ? { fraction: c.reserve.fraction } : {}),
        final_evaluation: c.reserve.final_evaluation,
        read: c.reserve.final_evaluation,
      }
    : null;
  writeFileSync(
    join(outDir, 'metrics.json'),
    metricsJson({
      strategy: c.strategy,
      engine: c.engine,
      symbols: run.data.symbols,
      period: periodOf(run),
      reserve,
      trials: c.trials,
      metrics: run.metrics,
      benchmark: run.benchmark ? { symbol: run.benchmark.symbol, metrics: run.benchmark.metrics } : null,
      ...(run.split ? { in_sample: run.split.in_sample, out_of_sample: run.split.out_of_sample } : {}),
      monte_carlo: run.monteCarlo,
    }),
  );
}

/** Always written, so every backtest has the same outputs; empty when no regimes are declared. */
function writeRegimeSlices(run: BacktestRun, c: BacktestConfig, outDir: string): void {
  mkdirSync(join(outDir, 'evaluation'), { recursive: true });
  writeFileSync(join(outDir, REGIME_SLICES_OUTPUT), metricsJson(regimeSlicesReport(c.regimes, run.regimes)));
}

function monteCarloNote(m: MonteCarloReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const range = (i: Interval | null, f: (x: number) => string) =>
    i ? `${f(i.low)} to ${f(i.high)} (median ${f(i.median)})` : 'undefined';
  const level = `${Math.round(m.confidence * 100)}%`;
  const shuffle = m.trade_shuffle
    ? `; the same ${m.trade_shuffle.round_trips} round trips in random orders: max drawdown ${range(m.trade_shuffle.max_drawdown, pct)}`
    : '';
  return `Monte Carlo, ${level} intervals over ${m.samples} stationary-bootstrap paths (mean block ${m.mean_block} sessions, seed ${m.seed}): Sharpe ${range(m.bootstrap.sharpe, (x) => x.toFixed(2))}, max drawdown ${range(m.bootstrap.max_drawdown, pct)}, CAGR ${range(m.bootstrap.cagr, pct)}${shuffle}.`;
}

function fractionNote(c: BacktestConfig): string {
  return c.reserve?.fraction !== undefined
    ? ` (the last ${Math.round(c.reserve.fraction * 100)}% of the sessions)`
    : '';
}

function writeTearsheet(run: BacktestRun, c: BacktestConfig, outDir: string, title: string): void {
  const { data, result } = run;
  const period = periodOf(run);
  const rows = standardMetricRows(run.metrics, run.benchmark?.metrics, c.trials.count);
  const notes = [
    `${period.start} to ${period.end}, ${period.sessions} sessions; ${data.symbols.length} symbol${data.symbols.length === 1 ? '' : 's'}; ${c.engine.replace('_', '-')} engine.`,
    `Orders decided on a close fill ${c.costs.execution.delay_bars} bar${c.costs.execution.delay_bars === 1 ? '' : 's'} later at the ${c.costs.execution.price}; fees ${c.costs.fees.bps} bps + ${c.costs.fees.per_share}/share (min ${c.costs.fees.min_per_order}); slippage ${c.costs.slippage.fixed_bps} bps${c.costs.slippage.volume_share ? ' + volume share' : ''}.`,
    c.reserve
      ? c.reserve.final_evaluation
        ? `Final evaluation: includes the out-of-sample reserve from ${run.reserveFrom}${fractionNote(c)}.`
        : `Out-of-sample reserve from ${run.reserveFrom}${fractionNote(c)}: not read.`
      : 'No out-of-sample reserve declared.',
    ...(run.monteCarlo ? [monteCarloNote(run.monteCarlo)] : []),
  ];
  writeFileSync(
    join(outDir, 'tearsheet.html'),
    renderTearsheet({
      title,
      dates: data.dates,
      equity: result.equity,
      ...(run.benchmark ? { benchmark: { name: run.benchmark.symbol, values: run.benchmark.values } } : {}),
      grossExposure: result.grossExposure,
      netExposure: result.netExposure,
      metrics: rows,
      notes,
      periodsPerYear: c.periods_per_year,
      rollingWindow: c.rolling_window,
    }),
  );
}
