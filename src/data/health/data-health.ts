import { join } from 'node:path';
import { parseIsoDate } from '../calendar/civil-date.js';
import { exchangeCalendar } from '../calendar/exchange-calendar.js';
import { openDuckDb, queryRows, sqlString } from '../store/duckdb.js';

export type CalendarMode = 'union' | 'intersection' | 'per_symbol';

export const HEALTH_FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;
export type HealthField = (typeof HEALTH_FIELDS)[number];

export interface HealthOptions {
  storeDir: string;
  exchange: string;
  /** Which sessions each symbol is measured against: every session from the earliest first bar to
   *  the latest last bar of any symbol (union), only those all symbols span (intersection), or
   *  each symbol's own span (per_symbol). */
  calendar: CalendarMode;
  fields: readonly HealthField[];
  /** With strict, any symbol and field missing more than this share fails the check. */
  maxMissingRatio: number;
  strict: boolean;
}

export interface FieldHealth {
  present: number;
  missing: number;
  nan: number;
  coverage: number;
}

export interface HealthReport {
  exchange: string;
  calendar: CalendarMode;
  window: { start: string; end: string } | null;
  symbols: Record<string, { first: string; last: string; expected_sessions: number; rows: number; fields: Record<string, FieldHealth> }>;
  breaches: { symbol: string; field: string; missing_ratio: number }[];
  passed: boolean;
}

export class HealthCheckFailed extends Error {}

/** Coverage and missing-value diagnostics of a canonical bar store, per symbol and field. */
export async function dataHealth(options: HealthOptions): Promise<HealthReport> {
  const { connection: db, close } = await openDuckDb(2);
  try {
    await db.run(
      `CREATE TABLE bars AS SELECT * FROM read_parquet(${sqlString(join(options.storeDir, '**', '*.parquet'))}, hive_partitioning = true, hive_types = {'symbol': VARCHAR, 'year': INTEGER})`,
    );
    const spans = await queryRows<{ symbol: string; first: string; last: string }>(
      db,
      `SELECT symbol, strftime(min(date), '%Y-%m-%d') AS first, strftime(max(date), '%Y-%m-%d') AS last FROM bars GROUP BY symbol ORDER BY symbol`,
    );
    const report: HealthReport = { exchange: options.exchange, calendar: options.calendar, window: null, symbols: {}, breaches: [], passed: true };
    if (spans.length === 0) return report;
    const calendar = exchangeCalendar(options.exchange);
    const firsts = spans.map((s) => s.first).sort();
    const lasts = spans.map((s) => s.last).sort();
    const window =
      options.calendar === 'union' ? { start: firsts[0]!, end: lasts.at(-1)! } : options.calendar === 'intersection' ? { start: firsts.at(-1)!, end: lasts[0]! } : null;
    report.window = window;
    const fieldSql = options.fields
      .map((f) => `count(${f}) AS ${f}_present, count(*) FILTER (WHERE isnan(CAST(${f} AS DOUBLE))) AS ${f}_nan`)
      .join(', ');
    for (const span of spans) {
      const start = window?.start ?? span.first;
      const end = window?.end ?? span.last;
      const expected = end >= start ? calendar.sessions(parseIsoDate(start), parseIsoDate(end)).length : 0;
      const [row] = await queryRows<Record<string, number>>(
        db,
        `SELECT count(*) AS rows, ${fieldSql} FROM bars WHERE symbol = ${sqlString(span.symbol)} AND date BETWEEN ${sqlString(start)} AND ${sqlString(end)}`,
      );
      const fields: Record<string, FieldHealth> = {};
      for (const f of options.fields) {
        const present = Number(row![`${f}_present`]) - Number(row![`${f}_nan`]);
        const missing = Math.max(0, expected - present);
        fields[f] = { present, missing, nan: Number(row![`${f}_nan`]), coverage: expected > 0 ? round(present / expected) : 1 };
        const ratio = expected > 0 ? missing / expected : 0;
        if (ratio > options.maxMissingRatio) report.breaches.push({ symbol: span.symbol, field: f, missing_ratio: round(ratio) });
      }
      report.symbols[span.symbol] = { first: span.first, last: span.last, expected_sessions: expected, rows: Number(row!.rows), fields };
    }
    report.passed = report.breaches.length === 0;
    if (options.strict && !report.passed) {
      const lines = report.breaches.slice(0, 20).map((b) => `${b.symbol}.${b.field}: ${(b.missing_ratio * 100).toFixed(1)}% missing`);
      throw new HealthCheckFailed(
        `data health (strict, ${options.calendar} calendar): ${report.breaches.length} symbol/field pair(s) miss more than ${(options.maxMissingRatio * 100).toFixed(1)}% of sessions:\n  ${lines.join('\n  ')}`,
      );
    }
    return report;
  } finally {
    close();
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
