function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * Rows of a command's result as an aligned text table (with a row count), CSV (RFC 4180
 * quoting) or JSON; the columns are the first row's keys, in order.
 */
export function formatRows(rows: Record<string, unknown>[], fmt: 'table' | 'csv' | 'json'): string {
  if (fmt === 'json') return JSON.stringify(rows);
  const columns = rows.length > 0 ? Object.keys(rows[0]!) : [];
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  if (fmt === 'csv') {
    const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
    return [columns.map(quote).join(','), ...cells.map((r) => r.map(quote).join(','))].join('\n');
  }
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    line(columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
    `(${rows.length} row${rows.length === 1 ? '' : 's'})`,
  ].join('\n');
}
