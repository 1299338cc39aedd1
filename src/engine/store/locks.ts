import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QuantoError } from '../errors.js';
import type { Workspace } from '../workspace.js';

/**
 * Builds never lock each other out (the stores are lock-free); only garbage collection must
 * not sweep blobs a running build is about to reference. Each build leaves a pid file while it
 * runs; gc refuses while one belongs to a live process, and builds refuse while gc runs.
 */
export function holdBuildLock(ws: Workspace): () => void {
  const gc = livePids(ws, 'gc');
  if (gc.length > 0)
    throw new QuantoError(`garbage collection is running (pid ${gc[0]}); build again when it has finished`);
  mkdirSync(ws.locksDir, { recursive: true });
  const file = join(ws.locksDir, `build-${process.pid}`);
  writeFileSync(file, '');
  return () => rmSync(file, { force: true });
}

/** `command` names what waits for the build in the refusal ('gc', 'clean'). */
export function holdGcLock(ws: Workspace, command = 'gc'): () => void {
  const builds = livePids(ws, 'build').filter((pid) => pid !== process.pid);
  if (builds.length > 0)
    throw new QuantoError(`a build is running (pid ${builds.join(', ')}); run ${command} when it has finished`);
  mkdirSync(ws.locksDir, { recursive: true });
  const file = join(ws.locksDir, `gc-${process.pid}`);
  writeFileSync(file, '');
  return () => rmSync(file, { force: true });
}

function livePids(ws: Workspace, kind: string): number[] {
  let files: string[];
  try {
    files = readdirSync(ws.locksDir).filter((f) => f.startsWith(`${kind}-`));
  } catch {
    return [];
  }
  const live: number[] = [];
  for (const f of files) {
    // The pid is in the name, so a lock is complete the moment it exists.
    const pid = Number(f.slice(kind.length + 1));
    if (isAlive(pid)) live.push(pid);
    else rmSync(join(ws.locksDir, f), { force: true }); // left by a killed process
  }
  return live;
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
