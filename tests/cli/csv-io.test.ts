import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, readCsv } from '../../src/cli/csv-io.js';

describe('CSV as RFC 4180 reads it', () => {
  it('quoted fields keep their commas, doubled quotes and line breaks, and lose their quotes', () => {
    const rows = parseCsv(
      'symbol,name,close\n"A","Alcoa, Inc.",10\r\nB,"say ""hi""",11\n"C","two\nlines",12\n\n',
      'x.csv',
    );
    expect(rows).toEqual([
      { fields: ['symbol', 'name', 'close'], line: 1 },
      { fields: ['A', 'Alcoa, Inc.', '10'], line: 2 },
      { fields: ['B', 'say "hi"', '11'], line: 3 },
      { fields: ['C', 'two\nlines', '12'], line: 4 },
    ]);
    expect(parseCsv('a,b\n1,\n', 'x.csv')[1]!.fields).toEqual(['1', '']);
    expect(() => parseCsv('a,b\n"1,2\n', 'x.csv')).toThrow(/^x\.csv:2: a quoted field is never closed$/);
  });

  it('rows carry the line they start on, so errors point at the file line even after a multi-line field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quanto-csv-'));
    try {
      const path = join(dir, 'p.csv');
      writeFileSync(path, 'symbol,date,close,note\n"A",2020-01-02,10,"multi\nline"\nA,2020-01-03,11,x\n');
      const { rows, lines, col } = readCsv(path, ['symbol', 'date', 'close']);
      expect(rows.map((r) => r[col('symbol')])).toEqual(['A', 'A']);
      expect(lines).toEqual([2, 4]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
