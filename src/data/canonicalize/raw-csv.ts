import { closeSync, openSync, readSync } from 'node:fs';

/** The first line of a file, without reading the rest. */
export function readHeaderLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, n).toString('utf8');
    const end = text.indexOf('\n');
    return (end >= 0 ? text.slice(0, end) : text).replace(/\r$/, '');
  } finally {
    closeSync(fd);
  }
}

/** Fails with the file and the expected header when a raw shard is not in the raw format. */
export function checkHeader(path: string, display: string, expected: readonly string[]): void {
  const header = readHeaderLine(path);
  // Headers with and without a byte-order mark print the same; say which it is.
  if (header.startsWith('\uFEFF') && header.slice(1) === expected.join(',')) {
    throw new Error(`${display}:1: the file starts with a UTF-8 byte-order mark (BOM) before its header; save it as UTF-8 without a BOM`);
  }
  if (header !== expected.join(',')) {
    throw new Error(`${display}:1: the header is '${header}'; a raw bar shard must start with '${expected.join(',')}'`);
  }
}
