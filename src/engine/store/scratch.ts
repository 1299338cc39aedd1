import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from './locks.js';
import { uniqueTempSuffix } from './atomic-write.js';

/**
 * One scratch directory per thread, reused by every action it runs. Creating and removing a
 * directory per action was the largest cost of a cold build of many small targets; an action
 * leaves `out/` empty (its files move into the content store), so reuse needs only a tidy-up.
 */
const scratchByCache = new Map<string, string>();

export function threadScratch(tmpDir: string): { root: string; out: string } {
  let root = scratchByCache.get(tmpDir);
  if (!root) {
    root = join(tmpDir, `scratch${uniqueTempSuffix()}`);
    mkdirSync(join(root, 'out'), { recursive: true });
    scratchByCache.set(tmpDir, root);
  }
  return { root, out: join(root, 'out') };
}

/** Empties a directory without removing it. */
export function emptyDirectory(dir: string): void {
  for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
}

/** Removes temp entries of this process (at the end of a build) or of processes that no longer run. */
export function removeTempEntries(tmpDir: string, which: 'mine' | 'dead'): void {
  let names: string[];
  try {
    names = readdirSync(tmpDir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/\.tmp-(\d+)-/.exec(name)?.[1]);
    if (which === 'mine' ? pid === process.pid : !isAlive(pid))
      rmSync(join(tmpDir, name), { recursive: true, force: true });
  }
  if (which === 'mine') for (const key of [...scratchByCache.keys()]) if (key === tmpDir) scratchByCache.delete(key);
}
