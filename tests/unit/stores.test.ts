import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActionCache } from '../../src/engine/store/action-cache.js';
import { writeFileAtomic } from '../../src/engine/store/atomic-write.js';
import { ContentStore } from '../../src/engine/store/cas.js';
import { digestBytes, digestFile, isDigest } from '../../src/engine/keys/digest.js';
import type { Manifest } from '../../src/engine/keys/manifest.js';
import { StatCache } from '../../src/engine/keys/stat-cache.js';

describe('content store, action cache, stat cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'quanto-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adopts a file under its SHA-256, read-only, and dedupes', () => {
    const cas = new ContentStore(join(dir, 'cas'));
    writeFileSync(join(dir, 'a'), 'hello');
    const { digest, size } = cas.adoptFile(join(dir, 'a'));
    expect(digest).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect(size).toBe(5);
    expect(existsSync(join(dir, 'a'))).toBe(false);
    expect(statSync(cas.pathOf(digest)).mode & 0o777).toBe(0o444);
    writeFileSync(join(dir, 'b'), 'hello');
    expect(cas.adoptFile(join(dir, 'b')).digest).toBe(digest);
    expect(cas.putBytes('hello')).toBe(digest);
    expect(cas.verify(digest)).toBe(true);
    chmodSync(cas.pathOf(digest), 0o644);
    writeFileSync(cas.pathOf(digest), 'HELLO');
    expect(cas.verify(digest)).toBe(false);
    expect(cas.sizeOf(digest)).toBe(5);
  });

  it('hashes large files in chunks to the same digest as in memory', () => {
    const data = Buffer.alloc(9 * 1024 * 1024 + 7, 0x61);
    writeFileSync(join(dir, 'big'), data);
    expect(digestFile(join(dir, 'big'))).toEqual({ digest: digestBytes(data), size: data.length });
    expect(isDigest(digestBytes('x'))).toBe(true);
    expect(isDigest('XYZ')).toBe(false);
  });

  it('treats a damaged or foreign manifest as absent', () => {
    const ac = new ActionCache(join(dir, 'ac'));
    const key = digestBytes('k') as unknown as Manifest['key'];
    expect(ac.get(key)).toBeUndefined();
    ac.put({ key, label: '//x' } as Manifest);
    expect(ac.get(key)?.label).toBe('//x');
    writeFileSync(ac.pathOf(key), '{"key": "trunc');
    expect(ac.get(key)).toBeUndefined();
    writeFileSync(ac.pathOf(key), JSON.stringify({ key: 'other' }));
    expect(ac.get(key)).toBeUndefined();
  });

  it('writes atomically, creating directories', () => {
    writeFileAtomic(join(dir, 'deep', 'er', 'f.json'), '{}');
    expect(readFileSync(join(dir, 'deep', 'er', 'f.json'), 'utf8')).toBe('{}');
  });

  it('the stat cache rehashes a changed file, and never persists entries for files changed just now', () => {
    const file = join(dir, 'f.txt');
    writeFileSync(file, 'one');
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    const stats = new StatCache(join(dir, 'state'));
    expect(stats.digest(file)).toBe(digestBytes('one'));
    writeFileSync(file, 'two'); // same size, new mtime
    expect(stats.digest(file)).toBe(digestBytes('two'));
    stats.save();
    // Just written: racy, so not persisted; a fresh cache hashes it again.
    const persisted = JSON.parse(readFileSync(join(dir, 'state', 'stat-cache.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(persisted[file]).toBeUndefined();
    utimesSync(file, old, old);
    const again = new StatCache(join(dir, 'state'));
    expect(again.digest(file)).toBe(digestBytes('two'));
    again.save();
    const later = JSON.parse(readFileSync(join(dir, 'state', 'stat-cache.json'), 'utf8')) as Record<
      string,
      { digest: string }
    >;
    expect(later[file]!.digest).toBe(digestBytes('two'));
  });
});
