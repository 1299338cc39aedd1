import { accessSync, constants, existsSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../errors.js';

/** Errors of the machine, not of the research: the disk, its permissions. Exit 2, like a usage error. */
const MACHINE_ERRORS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
};

/** The clear message for a file-system error of the machine, or undefined for anything else. */
export function machineErrorMessage(err: unknown, where: string): string | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  const code = e?.code;
  if (!code || !(code in MACHINE_ERRORS)) return undefined;
  const path = e.path ?? where;
  const full = code === 'ENOSPC' || code === 'EDQUOT';
  const fix = full
    ? 'free space there (quanto gc drops what the pipeline no longer reaches), or set QUANTO_CACHE_DIR to a disk with room'
    : 'make it writable for this user, or set QUANTO_CACHE_DIR to a directory this user can write';
  return `cannot write ${path}: ${MACHINE_ERRORS[code]} (${code}); ${fix}`;
}

export function isMachineError(err: unknown): boolean {
  return machineErrorMessage(err, '') !== undefined;
}

// Below this, DuckDB and the worker threads fail in ways that cannot all be caught (a native abort).
const MIN_FREE_BYTES = 8 * 1024 * 1024;

/**
 * Refuses to start a build whose cache cannot be written (a read-only file system, another
 * user's directory) or whose disk is already full: better now, with a message, than halfway.
 * `dir` is the cache directory, which may not exist yet: its nearest existing ancestor is checked.
 */
export function requireUsableCache(dir: string): void {
  let existing = dir;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  try {
    accessSync(existing, constants.W_OK);
  } catch (err) {
    const message = machineErrorMessage(err, existing);
    if (message) throw new ConfigError(message);
    throw err;
  }
  requireFreeSpace(existing);
}

function requireFreeSpace(dir: string): void {
  let free: number;
  try {
    const st = statfsSync(dir);
    free = st.bavail * st.bsize;
  } catch {
    return; // statfs unsupported here: the writes themselves will say
  }
  if (free < MIN_FREE_BYTES) {
    throw new ConfigError(
      `cannot build: the disk of ${dir} has ${Math.floor(free / 1024)} KiB free; free space there (quanto gc drops what the pipeline no longer reaches), or set QUANTO_CACHE_DIR to a disk with room`,
    );
  }
}
