import { Option, type Command } from 'commander';
import type { CommandContext, GlobalOptions } from '../command-context.js';
import { findCanonicalTables } from '../../data/store/canonical-views.js';
import { openDuckDb, sqlString } from '../../data/store/duckdb.js';
import { QuantoError } from '../../engine/errors.js';
import { Workspace } from '../../engine/workspace.js';
import type { CliIO } from '../io.js';
import { findWorkspaceRoot } from '../workspace-root.js';
import { formatRows } from '../table-format.js';

/**
 * quanto sql "SELECT ...": DuckDB over the canonical store. Each built canonical table is a
 * view named after its target (canonical/equity_ohlcv → canonical_equity_ohlcv).
 */
export async function sqlCommand(
  io: CliIO,
  globals: GlobalOptions,
  query: string,
  opts: { format: 'table' | 'csv' | 'json' },
): Promise<number> {
  const ws = new Workspace(globals.workspace ?? findWorkspaceRoot(io.cwd));
  const tables = findCanonicalTables(ws.outDir);
  const { connection, close } = await openDuckDb(2);
  try {
    for (const t of tables) {
      await connection.run(
        `CREATE VIEW ${t.view} AS SELECT * FROM read_parquet(${sqlString(t.glob)}, hive_partitioning = true, hive_types = {'symbol': VARCHAR, 'year': INTEGER})`,
      );
    }
    let rows: Record<string, unknown>[];
    try {
      // JSON-shaped values: dates as YYYY-MM-DD, big integers exact (as strings).
      rows = (await connection.runAndReadAll(query)).getRowObjectsJson() as Record<string, unknown>[];
    } catch (err) {
      const views = tables.map((t) => t.view).join(', ') || 'none (build a canonical target first)';
      throw new QuantoError(`sql: ${(err as Error).message.split('\n')[0]}\n  tables: ${views}`, 2);
    }
    io.out(formatRows(rows, opts.format));
    return 0;
  } finally {
    close();
  }
}

/** Registers `quanto sql`. */
export function registerSqlCommand(program: Command, ctx: CommandContext): void {
  program
    .command('sql')
    .description('ad-hoc SQL (DuckDB) over the canonical store; each canonical table is a view named after its target')
    .argument('<query>')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .action(
      ctx.run((query: string, opts: { format: 'table' | 'csv' | 'json' }) =>
        sqlCommand(ctx.io, ctx.globals(), query, opts),
      ),
    );
}
