import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuckDb, sqlString } from './duckdb.js';

/**
 * Writes a table (with `symbol` and `date` columns) as Parquet partitioned by symbol and year,
 * byte-identical run after run. DuckDB's partitioned writer is only deterministic on one
 * thread, and with thousands of small files that one thread is the slowest step; so symbols
 * are split into groups, each written by its own single-threaded DuckDB side by side. A
 * partition's bytes depend only on its rows (in order) and the writer settings, never on
 * which group wrote it.
 */
/** orderBy must make the row order total (several rows per symbol and date need more keys). */
export async function writePartitionedParquet(db: DuckDBConnection, table: string, columns: string, target: string, writers: number, orderBy = 'symbol, date'): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'quanto-partitioned-'));
  try {
    const staged = join(scratch, 'staged.parquet');
    await db.run(`COPY ${table} TO ${sqlString(staged)} (FORMAT PARQUET, COMPRESSION UNCOMPRESSED)`);
    const groups = Math.max(1, writers);
    await Promise.all(
      Array.from({ length: groups }, async (_, group) => {
        const { connection, close } = await openDuckDb(1);
        try {
          await connection.run(
            `COPY (SELECT ${columns}, year(date) AS year FROM read_parquet(${sqlString(staged)}) WHERE hash(symbol) % ${groups} = ${group} ORDER BY ${orderBy})
             TO ${sqlString(target)} (FORMAT PARQUET, PARTITION_BY (symbol, year), COMPRESSION ZSTD, OVERWRITE_OR_IGNORE)`,
          );
        } finally {
          close();
        }
      }),
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Rows computed in JavaScript (CSV lines, NaN written as empty cells) as a table, read with explicit column types so no type is guessed. */
async function stageRows(db: DuckDBConnection, rows: JsRows, scratch: string): Promise<void> {
  const csv = join(scratch, 'rows.csv');
  writeFileSync(csv, `${rows.columns.map(([name]) => name).join(',')}\n${rows.lines.join('\n')}\n`);
  const types = `{${rows.columns.map(([name, type]) => `'${name}': '${type}'`).join(', ')}}`;
  await db.run(`CREATE OR REPLACE TEMP TABLE staged_rows AS SELECT * FROM read_csv(${sqlString(csv)}, header = true, columns = ${types})`);
}

export interface JsRows {
  columns: readonly (readonly [name: string, type: string])[];
  lines: readonly string[];
}

/** Rows computed in JavaScript written as Parquet by symbol and year. */
export async function writeRowsAsPartitionedParquet(db: DuckDBConnection, rows: JsRows, target: string, writers: number, orderBy = 'symbol, date'): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'quanto-rows-'));
  try {
    await stageRows(db, rows, scratch);
    await writePartitionedParquet(db, 'staged_rows', rows.columns.map(([name]) => `"${name}"`).join(', '), target, writers, orderBy);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Rows computed in JavaScript written as one Parquet file, in `orderBy` order (which must be
 * total), on the caller's connection: open it with one thread for byte-identical output.
 */
export async function writeRowsAsParquet(db: DuckDBConnection, rows: JsRows, file: string, orderBy: string): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'quanto-rows-'));
  try {
    await stageRows(db, rows, scratch);
    await db.run(`COPY (SELECT * FROM staged_rows ORDER BY ${orderBy}) TO ${sqlString(file)} (FORMAT PARQUET, COMPRESSION ZSTD)`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** writeRowsAsParquet on a connection of its own, one thread (byte-identical output): for a rule that writes one table. */
export async function writeRowsToParquetFile(rows: JsRows, file: string, orderBy: string): Promise<void> {
  const { connection, close } = await openDuckDb(1);
  try {
    await writeRowsAsParquet(connection, rows, file, orderBy);
  } finally {
    close();
  }
}
