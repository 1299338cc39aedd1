import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

let counter = 0;

/** A temp name unique across processes and threads sharing one cache. */
export function uniqueTempSuffix(): string {
  counter += 1;
  return `.tmp-${process.pid}-${threadTag()}-${counter}`;
}

function threadTag(): string {
  // Worker threads share the pid; their thread id keeps temp names apart.
  return String((globalThis as { __quantoThreadId?: number }).__quantoThreadId ?? 0);
}

export function setThreadTag(id: number): void {
  (globalThis as { __quantoThreadId?: number }).__quantoThreadId = id;
}

/**
 * Writes a file so that readers see the old content or the new, never a part:
 * write to a temp file beside it, then rename (atomic within a filesystem).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temp = path + uniqueTempSuffix();
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(temp, data);
      renameSync(temp, path);
      return;
    }
    rmSync(temp, { force: true });
    throw err;
  }
}
