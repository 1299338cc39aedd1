import { rmSync } from 'node:fs';
import { collectGarbage } from '../../engine/gc.js';
import { holdGcLock } from '../../engine/locks.js';
import { Workspace } from '../../engine/workspace.js';
import type { CliIO } from '../io.js';
import type { GlobalOptions } from '../main.js';
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
