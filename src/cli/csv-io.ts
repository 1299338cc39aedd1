import { parseDecimal } from '../data/schemas/numeric-literal.js';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../engine/errors.js';

/** A small CSV table: header and rows of strings. Quoted fields are not expected in these inputs. */
export function readCsv(path: string, required: readonly string[]): { header: string[]; rows: string[][]; col: (name: string) => number } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`${path}: file not found`);
  }
  const lines = text.split(/\r?\n/).filter((l) => l !== '');
  if (lines.length === 0) throw new ConfigError(`${path}: empty file (expected a header with ${required.join(',')})`);
  const header = lines[0]!.split(',').map((h) => h.trim());
  const missing = required.filter((r) => !header.includes(r));
  if (missing.length > 0) throw new ConfigError(`${path}:1: missing column(s) ${missing.join(', ')} (the header is ${lines[0]})`);
  const rows = lines.slice(1).map((l) => l.split(','));
  return { header, rows, col: (name) => header.indexOf(name) };
}

/** A number cell, or a clear error naming the file, line and column. */
export function numberCell(path: string, line: number, column: string, text: string | undefined): number {
  const value = text === undefined ? undefined : parseDecimal(text);
  if (value === undefined || !Number.isFinite(value)) throw new ConfigError(`${path}:${line}: column ${column}: '${text ?? ''}' is not a number`);
  return value;
}

/** NaN (not yet available) as an empty cell; numbers in their shortest exact form. */
export function formatCell(x: number | string | null | undefined): string {
  if (x === null || x === undefined) return '';
  if (typeof x === 'string') return x;
  return Number.isNaN(x) ? '' : String(x);
}
