import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { ConfigError } from '../../engine/errors.js';
import { formatKeyPath, YamlSource } from '../../engine/pipeline/yaml-source.js';
import {
  computeFeatureSet,
  crossSectional,
  crossSectionalColumns,
  featureSetSchema,
  type BarSeries,
} from '../../features/feature-set.js';
import { csvColumns, emptyCsv, forEachCsvRecord, formatCell, numberCell, readCsvText } from '../csv-io.js';
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
  const bySymbol = readBars(opts.input);
  const perSymbolColumns = computeFeatureSet(set, { open: [], high: [], low: [], close: [], volume: [] }).columns;
  // Every symbol's features, kept as numbers (columns × rows), not as text: the cross-sectional
  // features need every symbol's values of a day before any row can be written.
  const symbols = [...bySymbol.keys()].sort();
  const computed = symbols.map((symbol) => {
    const bars = sortedBars(opts.input, symbol, bySymbol.get(symbol)!);
    bySymbol.delete(symbol); // its rows as read are not needed again
    // Eight bytes a value: a plain array of a column that mixes NaN and numbers may box them.
    const values = computeFeatureSet(set, bars.series).values.map((v) => Float64Array.from(v));
    return { symbol, dates: bars.dates, values };
  });
  const rowCount = computed.reduce((n, c) => n + c.dates.length, 0);
  const allDates: string[] = new Array<string>(rowCount);
  let r = 0;
  for (const c of computed) for (const d of c.dates) allDates[r++] = d;
  const cs = crossSectional(set, allDates, (name) => {
    const k = perSymbolColumns.indexOf(name);
    const out = new Float64Array(rowCount);
    let i = 0;
    for (const c of computed) for (const v of c.values[k]!) out[i++] = v;
    return out;
  });
  const columns = [...perSymbolColumns, ...crossSectionalColumns(set)];
  const rows = writeCsvAtomic(opts.out, ['symbol', 'date', ...columns].join(','), (emit) => {
    let i = 0;
    for (const c of computed) {
      for (let t = 0; t < c.dates.length; t++, i++) {
        let line = `${c.symbol},${c.dates[t]}`;
        for (const v of c.values) line += `,${formatCell(v[t]!)}`;
        for (const v of cs) line += `,${formatCell(v[i]!)}`;
        emit(line);
      }
    }
  });
  io.err(
    `quanto features compute: ${set.name} v${set.version}, ${columns.length} columns for ${symbols.length} symbol(s), ${rows} rows → ${opts.out}`,
  );
  return 0;
}

/** One symbol's rows as read: dates, the five fields (NaN where empty), and the line of each row. */
interface SymbolRows {
  dates: string[];
  lines: number[];
  fields: { open: number[]; high: number[]; low: number[]; close: number[]; volume: number[] };
}

/**
 * The bars CSV by symbol, as numbers: one pass over the records, keeping no row's text. Missing
 * open/high/low/volume (closes-only data) become NaN: features that need them stay empty.
 */
function readBars(path: string): Map<string, SymbolRows> {
  const text = readCsvText(path);
  const bySymbol = new Map<string, SymbolRows>();
  let col: ((name: string) => number) | undefined;
  forEachCsvRecord(text, path, (fields, line) => {
    if (!col) {
      col = csvColumns(path, fields, INPUT).col;
      return;
    }
    const symbol = fields[col('symbol')]!;
    let rows = bySymbol.get(symbol);
    if (!rows) {
      rows = { dates: [], lines: [], fields: { open: [], high: [], low: [], close: [], volume: [] } };
      bySymbol.set(symbol, rows);
    }
    rows.dates.push(fields[col('date')]!);
    rows.lines.push(line);
    for (const name of ['open', 'high', 'low', 'close', 'volume'] as const) {
      const cell = fields[col(name)];
      rows.fields[name].push(cell?.trim() === '' ? Number.NaN : numberCell(path, line, name, cell));
    }
  });
  if (!col) throw emptyCsv(path, INPUT);
  return bySymbol;
}

/** A symbol's bars in date order; two rows of one date are an error naming the second's line. */
function sortedBars(path: string, symbol: string, rows: SymbolRows): { dates: string[]; series: BarSeries } {
  const order = rows.dates
    .map((_, i) => i)
    .sort((a, b) => (rows.dates[a]! < rows.dates[b]! ? -1 : rows.dates[a]! > rows.dates[b]! ? 1 : a - b));
  for (let k = 1; k < order.length; k++) {
    if (rows.dates[order[k]!] === rows.dates[order[k - 1]!])
      throw new ConfigError(`${path}:${rows.lines[order[k]!]}: ${symbol} has two rows for ${rows.dates[order[k]!]}`);
  }
  const pick = (xs: number[]) => order.map((i) => xs[i]!);
  return {
    dates: order.map((i) => rows.dates[i]!),
    series: {
      open: pick(rows.fields.open),
      high: pick(rows.fields.high),
      low: pick(rows.fields.low),
      close: pick(rows.fields.close),
      volume: pick(rows.fields.volume),
    },
  };
}

/**
 * Writes a CSV as its lines come, in chunks of about a megabyte, to a temporary file renamed
 * into place at the end: never the whole text in memory, and never a half-written file at
 * `path`. Returns the number of rows (lines after the header).
 */
function writeCsvAtomic(path: string, header: string, rows: (emit: (line: string) => void) => void): number {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  let count = 0;
  try {
    let chunk = `${header}\n`;
    rows((line) => {
      chunk += `${line}\n`;
      count++;
      if (chunk.length >= 1 << 20) {
        writeSync(fd, chunk);
        chunk = '';
      }
    });
    if (chunk) writeSync(fd, chunk);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw err;
  }
  return count;
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
