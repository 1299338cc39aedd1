import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { uniqueTempSuffix } from './atomic-write.js';
import { digestBytes, digestFile, type Digest } from './digest.js';

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
    const path = this.pathOf(digest);
    if (!existsSync(path)) return false;
    return digestFile(path).digest === digest;
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
