import { linkSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { uniqueTempSuffix } from './atomic-write.js';
import type { ContentStore } from './cas.js';
import type { Digest } from './digest.js';

/**
 * Lays out an action's outputs at their stable human path (cache/out/<target>[/<partition>]),
 * as hard links to the immutable blobs. Each file is replaced by rename, so a reader never
 * sees a half-written file; files left from an older build of the same target are removed.
 */
export function materializeOutputs(cas: ContentStore, outPath: string, outputs: Record<string, { digest: Digest }>): void {
  mkdirSync(outPath, { recursive: true });
  for (const [name, { digest }] of Object.entries(outputs)) {
    const dest = join(outPath, name);
    const blob = cas.pathOf(digest);
    const existing = statSync(dest, { throwIfNoEntry: false });
    if (existing && existing.ino === statSync(blob).ino) continue;
    mkdirSync(dirname(dest), { recursive: true });
    const temp = dest + uniqueTempSuffix();
    try {
      linkSync(blob, temp);
    } catch {
      // Another filesystem (a cache dir elsewhere): fall back to a copy.
      copyFileSync(blob, temp);
    }
    renameSync(temp, dest);
  }
  removeStale(outPath, '', new Set(Object.keys(outputs)));
}

/** True when every output is present at the stable path with the right size (a cheap check for no-op builds). */
export function outputsMaterialized(outPath: string, outputs: Record<string, { size: number }>): boolean {
  for (const [name, { size }] of Object.entries(outputs)) {
    const st = statSync(join(outPath, name), { throwIfNoEntry: false });
    if (!st || st.size !== size) return false;
  }
  return true;
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
    } else if (keep.has(name)) {
      empty = false;
    } else {
      rmSync(full, { force: true });
    }
  }
  return empty;
}
