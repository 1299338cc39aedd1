import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { writeFileSync } from 'node:fs';
import { PERFORMANCE_METRIC_NAMES, performanceMetrics } from '../../evaluation/performance-metrics.js';
import { ConfigError } from '../../engine/errors.js';
import { formatCell, numberCell, readCsv } from '../csv-io.js';
import type { CliIO } from '../io.js';

/**
 * quanto metrics --input PRICES.csv --by year --out OUT.csv: performance metrics of each
 * symbol's close series (prices or an equity curve), per calendar year using only that year's
 * closes, or over the whole series with --by all (year column 'all').
 */
export async function metricsCommand(
  io: CliIO,
  opts: { input: string; out: string; by: string; periodsPerYear: string },
): Promise<number> {
  if (opts.by !== 'year' && opts.by !== 'all') throw new ConfigError(`--by ${opts.by}: expected year or all`);
  const periodsPerYear = Number(opts.periodsPerYear);
  if (!Number.isInteger(periodsPerYear) || periodsPerYear <= 0)
    throw new ConfigError(`--periods-per-year ${opts.periodsPerYear}: expected a positive whole number`);
  const { rows, lines: rowLines, col } = readCsv(opts.input, ['symbol', 'date', 'close']);
  const series = new Map<string, { date: string; close: number }[]>();
  rows.forEach((row, i) => {
    const line = rowLines[i]!;
    const symbol = row[col('symbol')]?.trim() ?? '';
    const date = row[col('date')]?.trim() ?? '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
      throw new ConfigError(`${opts.input}:${line}: column date: '${date}' is not YYYY-MM-DD`);
    const close = numberCell(opts.input, line, 'close', row[col('close')]);
    if (close <= 0)
      throw new ConfigError(
        `${opts.input}:${line}: column close: ${close} is not positive (returns need positive values)`,
      );
    const list = series.get(symbol) ?? [];
    list.push({ date, close });
    series.set(symbol, list);
  });
  const lines = [['symbol', 'year', ...PERFORMANCE_METRIC_NAMES].join(',')];
  for (const symbol of [...series.keys()].sort()) {
    const points = series.get(symbol)!.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    const duplicate = points.find((p, i) => i > 0 && points[i - 1]!.date === p.date);
    if (duplicate) throw new ConfigError(`${opts.input}: symbol ${symbol} has two rows for ${duplicate.date}`);
    const groups = new Map<string, number[]>();
    for (const p of points) {
      const key = opts.by === 'year' ? p.date.slice(0, 4) : 'all';
      groups.set(key, [...(groups.get(key) ?? []), p.close]);
    }
    for (const [year, closes] of groups) {
      if (closes.length < 3) {
        io.err(`quanto metrics: ${symbol} ${year}: ${closes.length} close(s), too few for metrics; row left out`);
        continue;
      }
      const m = performanceMetrics(closes, periodsPerYear);
      lines.push([symbol, year, ...PERFORMANCE_METRIC_NAMES.map((k) => formatCell(m[k]))].join(','));
    }
  }
  writeFileSync(opts.out, `${lines.join('\n')}\n`);
  io.err(`quanto metrics: ${series.size} symbol(s), ${lines.length - 1} row(s) → ${opts.out}`);
  return 0;
}

/** Registers `quanto metrics`. */
export function registerMetricsCommand(program: Command, ctx: CommandContext): void {
  program
    .command('metrics')
    .description('performance metrics (Sharpe, Sortino, drawdown, CAGR, PSR...) of price or equity series')
    .requiredOption('--input <file>', 'CSV: symbol,date,close')
    .requiredOption('--out <file>', 'output CSV')
    .option('--by <period>', 'year (each year from its own closes) or all', 'year')
    .option('--periods-per-year <n>', 'return periods a year', '252')
    .action(
      ctx.run((opts: { input: string; out: string; by: string; periodsPerYear: string }) =>
        metricsCommand(ctx.io, opts),
      ),
    );
}
