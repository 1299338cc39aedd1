import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

/** A lowercase hex SHA-256 of some bytes. Branded so a path or a label can't pass for one. */
export type Digest = string & { readonly __brand: 'Digest' };

/** An action key: the Digest of a canonical key record. */
export type ActionKey = string & { readonly __brand: 'ActionKey' };

const HEX64 = /^[0-9a-f]{64}$/;

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && HEX64.test(value);
}

// crypto.hash (Node >= 20.12) skips the Hash object: twice as fast for the small strings keys are made of.
const oneShot = (crypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: 'hex') => string }).hash;

export function digestBytes(data: string | Uint8Array): Digest {
  return (oneShot ? oneShot('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex')) as Digest;
}

// 4 MiB reads keep the syscall count low enough that SHA-256 itself is the bottleneck.
const READ_CHUNK = 4 * 1024 * 1024;
let sharedBuffer: Buffer | undefined;

/**
 * Hashes a file with synchronous large reads. Synchronous on purpose: the callers are
 * worker threads or the CLI's own start-up, and the async stream API costs ~30% throughput.
 */
export function digestFile(path: string): { digest: Digest; size: number } {
  sharedBuffer ??= Buffer.allocUnsafe(READ_CHUNK);
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  let size = 0;
  try {
    for (;;) {
      const n = readSync(fd, sharedBuffer, 0, READ_CHUNK, null);
      if (n === 0) break;
      hash.update(n === READ_CHUNK ? sharedBuffer : sharedBuffer.subarray(0, n));
      size += n;
    }
  } finally {
    closeSync(fd);
  }
  return { digest: hash.digest('hex') as Digest, size };
}

/** Short form for humans: the first 12 hex digits. */
export function shortDigest(d: string): string {
  return d.slice(0, 12);
}
