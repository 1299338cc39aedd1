import { linkSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { uniqueTempSuffix } from './atomic-write.js';
import type { ContentStore } from './cas.js';
import type { Digest } from '../keys/digest.js';
import { isAlive } from './locks.js';

/**
 * Lays out an action's outputs at their stable human path (cache/out/<target>[/<partition>]),
 * as hard links to the immutable blobs. Each file is replaced by rename, so a reader never
 * sees a half-written file; files left from an older build of the same target are removed.
 */
export function materializeOutputs(
  cas: ContentStore,
  outPath: string,
  outputs: Record<string, { digest: Digest }>,
): void {
  for (const [name, { digest }] of Object.entries(outputs)) {
    const dest = join(outPath, name);
    const blob = cas.pathOf(digest);
    const existing = statSync(dest, { throwIfNoEntry: false });
    if (existing && existing.ino === statSync(blob).ino) continue;
    placeFile(blob, dest);
  }
  removeStale(outPath, '', new Set(Object.keys(outputs)));
}

/**
 * Links (or copies) a blob to dest by way of a temp name. Another build tidying the same
 * directory may remove it between our mkdir and our link, so ENOENT is retried.
 */
function placeFile(blob: string, dest: string): void {
  for (let attempt = 0; ; attempt++) {
    const temp = dest + uniqueTempSuffix();
    try {
      mkdirSync(dirname(dest), { recursive: true });
      try {
        linkSync(blob, temp);
      } catch (err) {
        // Filesystems without hard links (or a cache split across mounts): copy instead.
        if (!['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
        copyFileSync(blob, temp);
      }
      renameSync(temp, dest);
      return;
    } catch (err) {
      rmSync(temp, { force: true });
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw err;
    }
  }
}

/**
 * True when every output's blob is in the store at its recorded size and the stable path is
 * that very blob (the same inode): the cheap check a no-op build makes, two stats an output.
 * Checking the blob and not only cache/out matters: cache/out is a hard link, so a blob deleted
 * from the store still shows there, and a dependent rebuilt later would find no input.
 */
export function outputsInPlace(
  cas: ContentStore,
  outPath: string,
  outputs: Record<string, { digest: Digest; size: number }>,
): boolean {
  for (const [name, { digest, size }] of Object.entries(outputs)) {
    const blob = statSync(cas.pathOf(digest), { throwIfNoEntry: false });
    if (!blob || blob.size !== size) return false;
    const placed = statSync(`${outPath}/${name}`, { throwIfNoEntry: false });
    if (!placed || placed.ino !== blob.ino) return false;
  }
  return true;
}

/** The outputs whose stable path is not (yet) a link to their blob: what materializeOutputs would place. */
export function outputsToPlace(
  cas: ContentStore,
  outPath: string,
  outputs: Record<string, { digest: Digest }>,
): string[] {
  return Object.entries(outputs)
    .filter(
      ([name, { digest }]) =>
        statSync(join(outPath, name), { throwIfNoEntry: false })?.ino !==
        statSync(cas.pathOf(digest), { throwIfNoEntry: false })?.ino,
    )
    .map(([name]) => name);
}

function removeStale(dir: string, prefix: string, keep: Set<string>): boolean {
  let empty = true;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      // A directory is left empty only when none of its files is an output.
      if (removeStale(full, name, keep)) rmSync(full, { recursive: true, force: true });
      else empty = false;
    } else if (keep.has(name) || isLiveTemp(entry.name)) {
      // Another build's file in the middle of being placed is not stale.
      empty = false;
    } else {
      rmSync(full, { force: true });
    }
  }
  return empty;
}

function isLiveTemp(name: string): boolean {
  const m = /\.tmp-(\d+)-/.exec(name);
  return m !== null && isAlive(Number(m[1]));
}
