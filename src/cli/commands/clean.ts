import type { Command } from 'commander';
import type { CommandContext, GlobalOptions } from '../command-context.js';
import { rmSync } from 'node:fs';
import { collectGarbage } from '../../engine/store/gc.js';
import { holdGcLock } from '../../engine/store/locks.js';
import { Workspace } from '../../engine/workspace.js';
import type { CliIO } from '../io.js';
import { findWorkspaceRoot } from '../workspace-root.js';
import { openSession } from './open.js';

export async function cleanCommand(io: CliIO, globals: GlobalOptions): Promise<number> {
  const ws = new Workspace(globals.workspace ?? findWorkspaceRoot(io.cwd));
  const release = holdGcLock(ws, 'clean');
  release();
  rmSync(ws.cacheDir, { recursive: true, force: true });
  io.out(`quanto clean: removed ${ws.cacheDir}`);
  return 0;
}

export async function gcCommand(io: CliIO, globals: GlobalOptions, opts: { repair?: boolean } = {}): Promise<number> {
  const session = await openSession(io, globals);
  const release = holdGcLock(session.workspace);
  try {
    const r = await collectGarbage(session, opts);
    io.out(
      `quanto gc: kept ${r.keptActions} actions and ${r.keptBlobs} blobs; removed ${r.removedActions} actions and ${r.removedBlobs} blobs (${(r.freedBytes / 1048576).toFixed(1)} MiB)`,
    );
    if (r.repairedBlobs > 0 || r.droppedManifests > 0 || opts.repair) {
      io.out(
        `quanto gc: ${opts.repair ? 'rehashed every kept blob; ' : ''}took out ${r.repairedBlobs} damaged blob(s) and ${r.droppedManifests} manifest(s) that named a missing or damaged blob; the next build rebuilds them`,
      );
    }
    return 0;
  } finally {
    release();
  }
}

/** Registers `quanto clean / gc`. */
export function registerCleanCommands(program: Command, ctx: CommandContext): void {
  program
    .command('clean')
    .description('delete the whole cache (cache/)')
    .action(ctx.run(() => cleanCommand(ctx.io, ctx.globals())));

  program
    .command('gc')
    .description(
      'delete cache entries the pipeline and promotion records no longer reach, and those a missing or truncated blob spoils',
    )
    .option('--repair', 'also rehash every kept blob and take out those whose bytes changed (reads the whole store)')
    .action(ctx.run((opts: { repair?: boolean }) => gcCommand(ctx.io, ctx.globals(), opts)));
}
