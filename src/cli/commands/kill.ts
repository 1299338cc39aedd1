import type { Command } from 'commander';
import type { CommandContext, GlobalOptions } from '../command-context.js';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../engine/store/atomic-write.js';
import { ConfigError } from '../../engine/errors.js';
import { clearKillFile, KILL_FILE, readKillFile } from '../../execution/kill-file.js';
import type { CliIO } from '../io.js';
import { findWorkspaceRoot } from '../workspace-root.js';

/**
 * quanto kill --reason TEXT: the manual kill switch. Writes ledger/KILL.json; every running
 * session of this workspace reads it before each decision, halts, cancels its open orders and
 * (as configured) flattens. `--clear` removes it; `--status` says whether it is set.
 */
export async function killCommand(
  io: CliIO,
  globals: GlobalOptions,
  opts: { reason?: string; clear?: boolean; status?: boolean },
): Promise<number> {
  const path = join(globals.workspace ?? findWorkspaceRoot(io.cwd), KILL_FILE);
  if (opts.status) {
    const kill = readKillFile(path);
    io.out(kill ? `kill switch SET: ${kill.reason} (${kill.by}, ${kill.at})` : 'kill switch not set');
    return 0;
  }
  if (opts.clear) {
    io.out(clearKillFile(path) ? `kill switch cleared (${KILL_FILE} removed)` : 'kill switch was not set');
    return 0;
  }
  if (!opts.reason || opts.reason.trim() === '')
    throw new ConfigError('--reason is required: say why trading must stop');
  writeFileAtomic(
    path,
    `${JSON.stringify({ reason: opts.reason, at: new Date().toISOString(), by: process.env.QUANTO_USER ?? userInfo().username }, null, 2)}\n`,
  );
  io.out(`kill switch SET: ${opts.reason} (${KILL_FILE}); running sessions halt before their next decision`);
  return 0;
}

/** Registers `quanto kill`. */
export function registerKillCommand(program: Command, ctx: CommandContext): void {
  program
    .command('kill')
    .description('the manual kill switch: running trading sessions halt, cancel open orders and flatten')
    .option('--reason <text>', 'why trading must stop (required to set it)')
    .option('--clear', 'remove the kill switch')
    .option('--status', 'say whether it is set')
    .action(
      ctx.run((opts: { reason?: string; clear?: boolean; status?: boolean }) =>
        killCommand(ctx.io, ctx.globals(), opts),
      ),
    );
}
