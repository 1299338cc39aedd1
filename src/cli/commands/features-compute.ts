import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { writeFileSync } from 'node:fs';
import { ConfigError } from '../../engine/errors.js';
import { formatKeyPath, YamlSource } from '../../engine/pipeline/yaml-source.js';
import {
  computeFeatureSet,
  crossSectional,
  crossSectionalColumns,
  featureSetSchema,
  type BarSeries,
} from '../../features/feature-set.js';
import { formatCell, numberCell, readCsv } from '../csv-io.js';
import type { CliIO } from '../io.js';

const INPUT = ['symbol', 'date', 'open', 'high', 'low', 'close', 'volume'] as const;

/**
 * quanto features compute --set SET.yml --input BARS.csv --out OUT.csv (SET.yml: a feature set,
 * or a features target's config such as configs/features/core_v1.yaml): the set's features per
 * symbol (bars in date order); output symbol, date and one column per feature output, empty
 * until a window is full.
 */
export async function featuresComputeCommand(
  io: CliIO,
  opts: { set: string; input: string; out: string },
): Promise<number> {
  const source = YamlSource.read(opts.set, opts.set);
  // A features target's config works as it is: where it reads its bars from (from, adjust) and
  // how it writes (writers) are the target's business; here the bars are --input, as given.
  const { from: _from, adjust: _adjust, writers: _writers, ...fields } = source.toJS() as Record<string, unknown>;
  const parsed = featureSetSchema.safeParse(fields);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid feature set ${opts.set}:\n  ${parsed.error.issues.map((i) => `${source.locate(i.path)}: key '${formatKeyPath(i.path)}': ${i.message}`).join('\n  ')}`,
    );
  }
  const set = parsed.data;
  const { rows, lines: rowLines, col } = readCsv(opts.input, INPUT);
  const bySymbol = new Map<string, { date: string; line: number; row: string[] }[]>();
  rows.forEach((row, i) => {
    const symbol = row[col('symbol')]!;
    const list = bySymbol.get(symbol) ?? [];
    list.push({ date: row[col('date')]!, line: rowLines[i]!, row });
    bySymbol.set(symbol, list);
  });
  let columns: string[] = computeFeatureSet(set, { open: [], high: [], low: [], close: [], volume: [] }).columns;
  const table: { symbol: string; date: string; values: number[] }[] = [];
  for (const symbol of [...bySymbol.keys()].sort()) {
    const items = bySymbol.get(symbol)!.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    for (let i = 1; i < items.length; i++) {
      if (items[i]!.date === items[i - 1]!.date)
        throw new ConfigError(`${opts.input}:${items[i]!.line}: ${symbol} has two rows for ${items[i]!.date}`);
    }
    // Missing open/high/low/volume (closes-only data) become NaN: features that need them stay empty.
    const field = (name: string) =>
      items.map((it) =>
        it.row[col(name)]?.trim() === '' ? Number.NaN : numberCell(opts.input, it.line, name, it.row[col(name)]),
      );
    const bars: BarSeries = {
      open: field('open'),
      high: field('high'),
      low: field('low'),
      close: field('close'),
      volume: field('volume'),
    };
    const result = computeFeatureSet(set, bars);
    items.forEach((it, i) => table.push({ symbol, date: it.date, values: result.values.map((v) => v[i]!) }));
  }
  const cs = crossSectional(
    set,
    table.map((r) => r.date),
    (name) => table.map((r) => r.values[columns.indexOf(name)]!),
  );
  columns = [...columns, ...crossSectionalColumns(set)];
  const lines = table.map((r, i) =>
    [r.symbol, r.date, ...[...r.values, ...cs.map((c) => c[i]!)].map(formatCell)].join(','),
  );
  writeFileSync(
    opts.out,
    `${['symbol', 'date', ...columns].join(',')}\n${lines.join('\n')}${lines.length ? '\n' : ''}`,
  );
  io.err(
    `quanto features compute: ${set.name} v${set.version}, ${columns.length} columns for ${bySymbol.size} symbol(s), ${rows.length} rows → ${opts.out}`,
  );
  return 0;
}

/** Registers `quanto features`. */
export function registerFeaturesComputeCommand(program: Command, ctx: CommandContext): void {
  program
    .command('features')
    .description('feature sets for ad-hoc use')
    .command('compute')
    .description('compute a feature set over a bars CSV (symbol,date,open,high,low,close,volume)')
    .requiredOption('--set <file>', 'feature set YAML')
    .requiredOption('--input <file>', 'bars CSV')
    .requiredOption('--out <file>', 'output CSV')
    .action(ctx.run((opts: { set: string; input: string; out: string }) => featuresComputeCommand(ctx.io, opts)));
}
