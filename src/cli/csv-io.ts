import { parseDecimal } from '../data/schemas/numeric-literal.js';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../engine/errors.js';

/**
 * A CSV table (RFC 4180): header and rows of strings, with the file line each row starts on.
 * Quoted fields may hold commas, doubled quotes and line breaks; a field is never trimmed, so
 * what the file says is what the row holds.
 */
export function readCsv(
  path: string,
  required: readonly string[],
): { header: string[]; rows: string[][]; lines: number[]; col: (name: string) => number } {
  const records = parseCsv(readCsvText(path), path);
  if (records.length === 0) throw emptyCsv(path, required);
  const { header, col } = csvColumns(path, records[0]!.fields, required);
  const body = records.slice(1);
  return { header, rows: body.map((r) => r.fields), lines: body.map((r) => r.line), col };
}

/** A CSV file's text, or a clear error naming it. */
export function readCsvText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`${path}: file not found`);
  }
}

/** The header's columns (trimmed) and a lookup by name, or an error naming the required columns it lacks. */
export function csvColumns(
  path: string,
  headerFields: readonly string[],
  required: readonly string[],
): { header: string[]; col: (name: string) => number } {
  const header = headerFields.map((h) => h.trim());
  const missing = required.filter((r) => !header.includes(r));
  if (missing.length > 0)
    throw new ConfigError(`${path}:1: missing column(s) ${missing.join(', ')} (the header is ${header.join(',')})`);
  return { header, col: (name) => header.indexOf(name) };
}

/** The error of a CSV with not even a header. */
export function emptyCsv(path: string, required: readonly string[]): ConfigError {
  return new ConfigError(`${path}: empty file (expected a header with ${required.join(',')})`);
}

/** RFC 4180 records with the line each starts on; blank lines are skipped, an unclosed quote is an error naming its line. */
export function parseCsv(text: string, path: string): { fields: string[]; line: number }[] {
  const records: { fields: string[]; line: number }[] = [];
  forEachCsvRecord(text, path, (fields, line) => records.push({ fields, line }));
  return records;
}

/**
 * The records of an RFC 4180 text, one call each, in order, without holding them all: what a
 * command reading a large file uses to keep only what it needs of each row. Unquoted fields are
 * slices of the text; quoted ones are unescaped ("" is one quote, line breaks are kept).
 */
export function forEachCsvRecord(text: string, path: string, onRecord: (fields: string[], line: number) => void): void {
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  let quoteLine = 0;
  let touched = false; // the record has any character, so an empty last field still counts
  let sliceFrom = -1; // where the current unquoted field started, while it is a plain slice
  const take = (end: number): string => {
    if (sliceFrom >= 0) {
      field += text.slice(sliceFrom, end);
      sliceFrom = -1;
    }
    return field;
  };
  const endRecord = (end: number) => {
    const last = take(end);
    if (touched) onRecord([...fields, last], start);
    fields = [];
    field = '';
    touched = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (quoted) {
      if (ch === 34 /* " */) {
        if (text.charCodeAt(i + 1) === 34) {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === 10) line++;
        field += text[i];
      }
      continue;
    }
    if (ch === 34 && field === '' && sliceFrom < 0) {
      quoted = true;
      quoteLine = line;
      touched = true;
    } else if (ch === 44 /* , */) {
      fields.push(take(i));
      field = '';
      touched = true;
    } else if (ch === 10 || ch === 13) {
      endRecord(i);
      if (ch === 13 && text.charCodeAt(i + 1) === 10) i++;
      line++;
      start = line;
    } else {
      // After a closing quote, later characters are appended to the unescaped text as before.
      if (sliceFrom < 0) sliceFrom = i;
      touched = true;
    }
  }
  if (quoted) throw new ConfigError(`${path}:${quoteLine}: a quoted field is never closed`);
  endRecord(text.length);
}

/** A number cell, or a clear error naming the file, line and column. */
export function numberCell(path: string, line: number, column: string, text: string | undefined): number {
  const value = text === undefined ? undefined : parseDecimal(text);
  if (value === undefined || !Number.isFinite(value))
    throw new ConfigError(`${path}:${line}: column ${column}: '${text ?? ''}' is not a number`);
  return value;
}

/** NaN (not yet available) as an empty cell; numbers in their shortest exact form. */
export function formatCell(x: number | string | null | undefined): string {
  if (x === null || x === undefined) return '';
  if (typeof x === 'string') return x;
  return Number.isNaN(x) ? '' : String(x);
}
