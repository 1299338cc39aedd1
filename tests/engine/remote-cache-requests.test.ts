import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContentStore } from '../../src/engine/store/cas.js';
import { RemoteCache } from '../../src/engine/store/remote/remote-cache.js';
import type { RemoteStore } from '../../src/engine/store/remote/remote-store.js';

/** An object store in memory that counts the requests made of it. */
class CountingStore implements RemoteStore {
  readonly objects = new Map<string, Buffer>();
  readonly requests = { get: 0, size: 0, put: 0 };
  readonly description = 'memory';
  readonly id = 'memory://test';
  async get(key: string) {
    this.requests.get += 1;
    return this.objects.get(key) ?? null;
  }
  async size(key: string) {
    this.requests.size += 1;
    return this.objects.get(key)?.length ?? null;
  }
  async put(key: string, bytes: Buffer) {
    this.requests.put += 1;
    this.objects.set(key, Buffer.from(bytes));
  }
  close() {}
}

const digestOf = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const casKey = (d: string) => `cas/${d.slice(0, 2)}/${d}`;

describe('remote cache requests: what the coordinator of a distributed build asks the store', () => {
  const dirs: string[] = [];
  const tempCas = () => {
    const dir = mkdtempSync(join(tmpdir(), 'quanto-remote-requests-'));
    dirs.push(dir);
    return new ContentStore(dir);
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('a blob downloaded and checked is not asked about again when it is published as the next action input', async () => {
    const store = new CountingStore();
    const bytes = Buffer.from('an output of one action, the input of the next');
    const digest = digestOf(bytes);
    store.objects.set(casKey(digest), bytes);
    const remote = new RemoteCache(store, { concurrency: 4, upload: true });
    expect(await remote.fetchInto(tempCas(), [digest])).toEqual([]);
    await remote.publish([{ digest, size: bytes.length, read: () => bytes }]);
    expect(store.requests).toEqual({ get: 1, size: 0, put: 0 });
  });

  it('a blob that failed its digest check is uploaded again by publish, and only once', async () => {
    const store = new CountingStore();
    const bytes = Buffer.from('the true bytes');
    const digest = digestOf(bytes);
    store.objects.set(casKey(digest), Buffer.from('the true byteZ')); // same size, wrong content
    const remote = new RemoteCache(store, { concurrency: 4, upload: true });
    expect(await remote.fetchInto(tempCas(), [digest])).toEqual([digest]);
    expect(remote.stats.corrupt).toBe(1);
    await remote.publish([{ digest, size: bytes.length, read: () => bytes }]);
    await remote.publish([{ digest, size: bytes.length, read: () => bytes }]);
    expect(store.objects.get(casKey(digest))).toEqual(bytes);
    expect(store.requests.put).toBe(1);
  });

  it('a blob the remote lacks is uploaded; one it holds at the right size is not', async () => {
    const store = new CountingStore();
    const held = Buffer.from('already there');
    const lacking = Buffer.from('not there yet');
    store.objects.set(casKey(digestOf(held)), held);
    const remote = new RemoteCache(store, { concurrency: 4, upload: true });
    await remote.publish([held, lacking].map((b) => ({ digest: digestOf(b), size: b.length, read: () => b })));
    expect(store.requests).toEqual({ get: 0, size: 2, put: 1 });
    expect(store.objects.get(casKey(digestOf(lacking)))).toEqual(lacking);
  });
});
