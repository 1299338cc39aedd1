import { Option, type Command } from 'commander';
import type { CommandContext, GlobalOptions } from '../command-context.js';
import { ConfigError } from '../../engine/errors.js';
import type { TargetName } from '../../engine/pipeline/label.js';
import type { CliIO } from '../io.js';
import { differingParams, experimentRows, type ExperimentRow } from '../experiment-table.js';
import { formatRows } from '../table-format.js';
import { openSession } from './open.js';

/** The metrics shown unless --metrics says otherwise: the ones a research table is read by. */
const DEFAULT_METRICS = ['total_return', 'sharpe', 'max_drawdown', 'cagr', 'dsr'] as const;

type Format = 'table' | 'csv' | 'json';

interface ShowOptions {
  sort?: string;
  asc?: boolean;
  metrics?: string;
  params?: string;
  allParams?: boolean;
  format: Format;
}

/**
 * quanto exp show [LABEL...]: every built experiment and backtest (or the targets the labels
 * name) with the params that differ between them and their metrics, from the cache: nothing is
 * built, so it answers at once and shows what was run, as `dvc exp show` does.
 */
export async function expShowCommand(
  io: CliIO,
  globals: GlobalOptions,
  labels: readonly string[],
  opts: ShowOptions,
): Promise<number> {
  const session = await openSession(io, globals);
  const names =
    labels.length > 0
      ? session.graph.select(labels)
      : session.graph.order.filter((n) => session.graph.spec(n).partitions === undefined);
  const { rows, skipped } = experimentRows(session, names);
  // A named target that cannot be shown is worth a word; of all targets, most write no metrics.
  if (labels.length > 0) for (const s of skipped) io.err(`quanto exp show: ${s.label}: ${s.why}`);
  const metrics = metricColumns(rows, opts.metrics);
  if (opts.sort !== undefined) {
    if (!rows.some((r) => opts.sort! in r.metrics))
      throw new ConfigError(`--sort ${opts.sort}: no row has that metric (there are: ${metricNames(rows).join(', ')})`);
    const sign = opts.asc ? 1 : -1;
    rows.sort((a, b) => {
      const x = a.metrics[opts.sort!];
      const y = b.metrics[opts.sort!];
      if (x === undefined || x === null || Number.isNaN(x)) return y === undefined || y === null ? 0 : 1;
      if (y === undefined || y === null || Number.isNaN(y)) return -1;
      return sign * (x - y) || (a.label < b.label ? -1 : 1);
    });
  }
  const paramsOf = (group: readonly ExperimentRow[]) =>
    opts.params !== undefined
      ? opts.params.split(',').map((p) => p.trim())
      : opts.allParams
        ? [...new Set(group.flatMap((r) => Object.keys(r.params)))].sort()
        : differingParams(group);
  if (opts.format === 'json') {
    const params = paramsOf(rows);
    io.out(
      JSON.stringify(
        rows.map((r) => ({
          label: r.label,
          rule: r.rule,
          key: r.key,
          params: Object.fromEntries(params.map((p) => [p, r.params[p] ?? null])),
          metrics: Object.fromEntries(metrics.map((m) => [m, r.metrics[m] ?? null])),
        })),
        null,
        2,
      ),
    );
    return 0;
  }
  const shown = (x: number | null | undefined) => metricCell(x, opts.format);
  const table = (group: readonly ExperimentRow[]) => {
    const params = paramsOf(group);
    return formatRows(
      group.map((r) => ({
        label: r.label,
        ...Object.fromEntries(params.map((p) => [p, r.params[p] ?? ''])),
        ...Object.fromEntries(metrics.map((m) => [m, shown(r.metrics[m])])),
      })),
      opts.format,
    );
  };
  // Params mean something within one rule: a table per rule, unless it is CSV (one table, every row).
  const rules = [...new Set(rows.map((r) => r.rule))];
  if (opts.format === 'csv' || rules.length <= 1) io.out(table(rows));
  else io.out(rules.map((rule) => `rule ${rule}:\n${table(rows.filter((r) => r.rule === rule))}`).join('\n\n'));
  if (rows.length === 0 && opts.format === 'table')
    io.err('quanto exp show: nothing built writes metrics yet: build an experiment or a backtest first');
  return 0;
}

/**
 * quanto exp diff A B: the params and metrics of two built targets side by side, the params that
 * differ and every metric with its change (B - A), from the cache.
 */
export async function expDiffCommand(
  io: CliIO,
  globals: GlobalOptions,
  a: string,
  b: string,
  opts: { format: Format; allParams?: boolean },
): Promise<number> {
  const session = await openSession(io, globals);
  const [ra, rb] = [a, b].map((label) => {
    const pattern = session.graph.resolveOne(label, 'exp diff');
    const { rows, skipped } = experimentRows(session, [pattern.name as TargetName]);
    if (rows.length === 0) throw new ConfigError(`exp diff: ${skipped[0]!.label}: ${skipped[0]!.why}`);
    return rows[0]!;
  }) as [ExperimentRow, ExperimentRow];
  const params = (
    opts.allParams
      ? [...new Set([...Object.keys(ra.params), ...Object.keys(rb.params)])].sort()
      : differingParams([ra, rb])
  ).map((name) => ({ name, a: ra.params[name] ?? null, b: rb.params[name] ?? null }));
  const metrics = [...new Set([...Object.keys(ra.metrics), ...Object.keys(rb.metrics)])].map((name) => {
    const x = ra.metrics[name] ?? null;
    const y = rb.metrics[name] ?? null;
    return { name, a: x, b: y, change: x === null || y === null ? null : y - x };
  });
  if (opts.format === 'json') {
    io.out(JSON.stringify({ a: ra.label, b: rb.label, params, metrics }, null, 2));
    return 0;
  }
  const shown = (x: number | null) => metricCell(x, opts.format);
  const rows = [
    ...params.map((p) => ({ kind: 'param', name: p.name, [ra.label]: p.a ?? '', [rb.label]: p.b ?? '', change: '' })),
    ...metrics.map((m) => ({
      kind: 'metric',
      name: m.name,
      [ra.label]: shown(m.a),
      [rb.label]: shown(m.b),
      change: m.change === null ? '' : opts.format === 'csv' ? String(m.change) : signed(m.change),
    })),
  ];
  io.out(formatRows(rows, opts.format));
  return 0;
}

function metricNames(rows: readonly ExperimentRow[]): string[] {
  return [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))].sort();
}

function metricColumns(rows: readonly ExperimentRow[], asked: string | undefined): string[] {
  const present = metricNames(rows);
  if (asked === 'all') return present;
  if (asked === undefined) return DEFAULT_METRICS.filter((m) => present.includes(m));
  const wanted = asked.split(',').map((m) => m.trim());
  const unknown = rows.length > 0 ? wanted.filter((m) => !present.includes(m)) : [];
  if (unknown.length > 0)
    throw new ConfigError(`--metrics: no row has ${unknown.join(', ')} (there are: ${present.join(', ')})`);
  return wanted;
}

/** Four significant digits: a table to read, not the record (--csv and --json are exact). */
function display(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
}

/** A metric as a table cell: empty when missing, exact in CSV, rounded for reading. */
function metricCell(x: number | null | undefined, format: Format): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '';
  return format === 'csv' ? String(x) : display(x);
}

function signed(x: number): string {
  return `${x > 0 ? '+' : ''}${display(x)}`;
}

/** Registers `quanto exp show` and `quanto exp diff`. */
export function registerExpCommands(program: Command, ctx: CommandContext): void {
  const exp = program
    .command('exp')
    .description('compare experiments and backtests: their params and metrics, from the cache (nothing is built)');
  const format = () =>
    new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table');
  exp
    .command('show')
    .description(
      'a table of every built target that wrote metrics (or those the labels name): the params that differ, and the metrics',
    )
    .argument('[labels...]')
    .option('--sort <metric>', 'sort by a metric, largest first')
    .option('--asc', 'with --sort, smallest first')
    .option(
      '--metrics <names>',
      `the metric columns, comma-separated, or 'all' (default: ${DEFAULT_METRICS.join(', ')})`,
    )
    .option('--params <names>', 'the param columns, comma-separated dotted config keys (default: those that differ)')
    .option('--all-params', 'every param, not only those that differ')
    .addOption(format())
    .option('--json', 'the same as --format json')
    .option('--csv', 'the same as --format csv')
    .action(
      ctx.run((labels: string[], opts: ShowOptions & { json?: boolean; csv?: boolean }) =>
        expShowCommand(ctx.io, ctx.globals(), labels, { ...opts, format: formatOf(opts) }),
      ),
    );
  exp
    .command('diff')
    .description('two built targets side by side: the params that differ, and every metric with its change')
    .argument('<a>')
    .argument('<b>')
    .option('--all-params', 'every param, not only those that differ')
    .addOption(format())
    .option('--json', 'the same as --format json')
    .option('--csv', 'the same as --format csv')
    .action(
      ctx.run((a: string, b: string, opts: { format: Format; allParams?: boolean; json?: boolean; csv?: boolean }) =>
        expDiffCommand(ctx.io, ctx.globals(), a, b, { ...opts, format: formatOf(opts) }),
      ),
    );
}

function formatOf(opts: { format: Format; json?: boolean; csv?: boolean }): Format {
  if (opts.json && opts.csv) throw new ConfigError('--json and --csv: give one');
  return opts.json ? 'json' : opts.csv ? 'csv' : opts.format;
}
