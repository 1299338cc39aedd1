import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/**
 * An in-memory DuckDB for one job. Writes that must be byte-identical run with one thread:
 * DuckDB's multi-threaded writers do not promise an order.
 */
export async function openDuckDb(threads = 1): Promise<{ connection: DuckDBConnection; close(): void }> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const connection = await instance.connect();
  return {
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** A string literal for SQL: single quotes doubled. File paths go into queries this way. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export async function queryRows<T = Record<string, unknown>>(connection: DuckDBConnection, sql: string): Promise<T[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJS() as T[];
}
