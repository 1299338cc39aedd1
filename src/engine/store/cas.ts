import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { uniqueTempSuffix } from './atomic-write.js';
import { digestBytes, digestFile, type Digest } from '../keys/digest.js';

/** Why a blob cannot be used: gone, not the size its manifest recorded, or bytes that no longer hash to its name. */
export type BlobProblem = 'missing' | 'size' | 'hash';

export function describeBlobProblem(problem: BlobProblem): string {
  return problem === 'missing'
    ? 'is missing from the cache'
    : problem === 'size'
      ? 'has the wrong size in the cache (truncated or replaced)'
      : 'no longer hashes to its name (its bytes were changed)';
}

/**
 * The content-addressed store: one immutable (0444) file per SHA-256. A blob only ever
 * appears under its final name by rename, after its bytes were hashed, so a crash leaves
 * at worst an unreferenced temp file, never a wrong blob. Concurrent writers of the same
 * digest are harmless: both renames install identical bytes.
 */
export class ContentStore {
  constructor(readonly dir: string) {}

  pathOf(digest: Digest): string {
    return join(this.dir, digest.slice(0, 2), digest);
  }

  has(digest: Digest): boolean {
    return existsSync(this.pathOf(digest));
  }

  /** Moves a file (on the same filesystem) into the store; the source path is gone afterwards. */
  adoptFile(path: string): { digest: Digest; size: number } {
    const { digest, size } = digestFile(path);
    const final = this.pathOf(digest);
    if (existsSync(final)) {
      rmSync(path, { force: true });
    } else {
      chmodSync(path, 0o444);
      this.renameInto(path, final);
    }
    return { digest, size };
  }

  putBytes(data: string | Uint8Array): Digest {
    const digest = digestBytes(data);
    const final = this.pathOf(digest);
    if (!existsSync(final)) {
      mkdirSync(join(this.dir, digest.slice(0, 2)), { recursive: true });
      const temp = final + uniqueTempSuffix();
      writeFileSync(temp, data, { mode: 0o444 });
      renameSync(temp, final);
    }
    return digest;
  }

  /** True when the blob exists and its bytes still hash to its name. */
  verify(digest: Digest): boolean {
    return this.check(digest, undefined, 'full') === null;
  }

  /**
   * What is wrong with a blob, or null when it is intact. 'size' costs one stat and catches a
   * deleted or truncated blob; 'full' also rehashes it, which is what catches a flipped byte.
   * `size` is the size a manifest recorded (undefined: not checked apart from the hash).
   */
  check(digest: Digest, size: number | undefined, depth: 'size' | 'full'): BlobProblem | null {
    const st = statSync(this.pathOf(digest), { throwIfNoEntry: false });
    if (!st) return 'missing';
    if (size !== undefined && st.size !== size) return 'size';
    if (depth === 'full' && digestFile(this.pathOf(digest)).digest !== digest) return 'hash';
    return null;
  }

  /**
   * Takes a damaged blob out of the store, so every manifest naming it becomes a cache miss and
   * its producer runs again. Files in cache/out hard-linked to it keep the damaged bytes until
   * that rebuild replaces them.
   */
  remove(digest: Digest): void {
    rmSync(this.pathOf(digest), { force: true });
  }

  sizeOf(digest: Digest): number | undefined {
    return statSync(this.pathOf(digest), { throwIfNoEntry: false })?.size;
  }

  private renameInto(from: string, to: string): void {
    try {
      renameSync(from, to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(join(to, '..'), { recursive: true });
      renameSync(from, to);
    }
  }
}
