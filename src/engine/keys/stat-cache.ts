import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic-write.js';
import { digestFile, type Digest } from './digest.js';

interface Entry {
  ino: string;
  mtimeNs: string;
  ctimeNs: string;
  size: number;
  digest: Digest;
}

// A file changed within this window of being hashed could change again within the same
// timestamp tick; such entries are used in this process but never persisted (git's "racy" rule).
const RACY_WINDOW_MS = 2000;

/** (inode, mtime, ctime, size) → digest, so that no-op builds do not rehash unchanged files. */
export class StatCache {
  private entries = new Map<string, Entry>();
  private racy = new Set<string>();
  private dirty = false;
  private readonly file: string;

  constructor(stateDir: string) {
    this.file = join(stateDir, 'stat-cache.json');
    try {
      const raw = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, Entry>;
      this.entries = new Map(Object.entries(raw));
    } catch {
      // Missing or unreadable: start empty; it is only an accelerator.
    }
  }

  digest(absPath: string): Digest {
    const st = statSync(absPath, { bigint: true });
    const cached = this.entries.get(absPath);
    if (
      cached &&
      cached.ino === String(st.ino) &&
      cached.mtimeNs === String(st.mtimeNs) &&
      cached.ctimeNs === String(st.ctimeNs) &&
      cached.size === Number(st.size)
    ) {
      return cached.digest;
    }
    const { digest } = digestFile(absPath);
    this.entries.set(absPath, {
      ino: String(st.ino),
      mtimeNs: String(st.mtimeNs),
      ctimeNs: String(st.ctimeNs),
      size: Number(st.size),
      digest,
    });
    const ageMs = Date.now() - Number(st.mtimeNs / 1_000_000n);
    if (ageMs < RACY_WINDOW_MS) this.racy.add(absPath);
    else this.racy.delete(absPath);
    this.dirty = true;
    return digest;
  }

  save(): void {
    if (!this.dirty) return;
    const out: Record<string, Entry> = {};
    for (const [path, entry] of [...this.entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!this.racy.has(path)) out[path] = entry;
    }
    writeFileAtomic(this.file, JSON.stringify(out));
    this.dirty = false;
  }
}
