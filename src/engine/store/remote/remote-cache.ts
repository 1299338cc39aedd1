import { readFileSync } from 'node:fs';
import { ActionCache } from '../action-cache.js';
import { canonicalJson } from '../../keys/canonical-json.js';
import { ContentStore } from '../cas.js';
import { digestBytes, type ActionKey, type Digest } from '../../keys/digest.js';
import type { Manifest } from '../../keys/manifest.js';
import type { ActionTask } from '../../scheduling/action-task.js';
import { materializeOutputs } from '../out-tree.js';
import { Workspace } from '../../workspace.js';
import { Limiter } from './limiter.js';
import type { RemoteStore } from './remote-store.js';

export interface RemoteCacheStats {
  /** Actions answered from the remote instead of run. */
  downloaded: number;
  /** Actions run by distributed workers whose outputs this coordinator fetched (not cache hits). */
  fromWorkers: number;
  /** Actions whose outputs this machine uploaded. */
  uploaded: number;
  /** Remote objects that failed their digest or size check (never used; overwritten on upload). */
  corrupt: number;
  /** Transfers that failed after their retries; the build went on without them. */
  errors: string[];
}

/** Why outputs are fetched: a hit instead of a run, or the result of a run on a distributed worker. */
export type FetchReason = 'cache-hit' | 'worker-result';

const casKey = (digest: string) => `cas/${digest.slice(0, 2)}/${digest}`;
const acKey = (key: string) => `ac/${key.slice(0, 2)}/${key}.json`;

/**
 * The remote tier of the content store and action cache. Same layout as the local cache
 * (cas/<2>/<sha256>, ac/<2>/<key>.json), same commit rule: blobs first, the manifest last, so a
 * manifest on the remote means every blob it names was uploaded before it. Every downloaded
 * blob is hashed and its size checked before it enters the local store, and the manifest must
 * carry exactly the key record this build computed, so a corrupted, truncated or misfiled
 * object is a miss (the action runs), never an input.
 */
export class RemoteCache {
  readonly stats: RemoteCacheStats = { downloaded: 0, fromWorkers: 0, uploaded: 0, corrupt: 0, errors: [] };
  private readonly limiter: Limiter;
  /** Digests seen corrupt on the remote: an upload overwrites them even though an object exists. */
  private readonly corruptDigests = new Set<string>();
  /** Digests known to be on the remote intact (published or downloaded and checked by this process). */
  private readonly published = new Set<string>();

  constructor(
    readonly store: RemoteStore,
    private readonly options: { concurrency: number; upload: boolean },
  ) {
    this.limiter = new Limiter(options.concurrency);
  }

  get uploads(): boolean {
    return this.options.upload;
  }

  /** The remote manifest of a key, when there is one that parses and is about that key. */
  async manifestOf(key: ActionKey): Promise<Manifest | null> {
    const bytes = await this.limiter.run(() => this.store.get(acKey(key)));
    if (!bytes) return null;
    try {
      const manifest = JSON.parse(bytes.toString('utf8')) as Manifest;
      if (manifest.key === key && manifest.outputs && typeof manifest.outputsDigest === 'string') return manifest;
    } catch {
      // fall through: a torn or foreign object
    }
    this.stats.corrupt += 1;
    return null;
  }

  /**
   * Fetches an action's outputs into the local cache: the manifest, then every blob the local
   * store lacks (each checked against its digest and size), then the local manifest (the local
   * commit point). Returns the manifest, or null on a miss or any failed check.
   */
  async download(
    cacheDir: { casDir: string; acDir: string },
    key: ActionKey,
    recordJson: string,
    why: FetchReason = 'cache-hit',
  ): Promise<Manifest | null> {
    const manifest = await this.manifestOf(key);
    if (!manifest) return null;
    // The key is the hash of this record; a manifest with another record is not this action's.
    if (canonicalJson(manifest.record) !== recordJson) {
      this.stats.corrupt += 1;
      return null;
    }
    const cas = new ContentStore(cacheDir.casDir);
    const wanted = new Map<string, number | undefined>(Object.values(manifest.outputs).map((o) => [o.digest, o.size]));
    if (manifest.log) wanted.set(manifest.log, undefined);
    const fetched = await Promise.all(
      [...wanted]
        .filter(([digest]) => !cas.has(digest as Digest))
        .map(([digest, size]) => this.limiter.run(() => this.fetchBlob(digest, size))),
    );
    if (fetched.some((b) => b === null)) return null;
    for (const bytes of fetched) cas.putBytes(bytes!);
    new ActionCache(cacheDir.acDir).put(manifest);
    if (why === 'cache-hit') this.stats.downloaded += 1;
    else this.stats.fromWorkers += 1;
    return manifest;
  }

  /**
   * Makes sure the remote has these blobs (a distributed worker fetches its inputs from it):
   * each one it lacks is uploaded from `read`. Digests confirmed once are not asked again.
   */
  async publish(blobs: readonly { digest: string; size: number; read: () => Buffer }[]): Promise<void> {
    await Promise.all(
      blobs
        .filter((b) => !this.published.has(b.digest))
        .map((b) =>
          this.limiter.run(async () => {
            if (this.corruptDigests.has(b.digest) || (await this.store.size(casKey(b.digest))) !== b.size)
              await this.store.put(casKey(b.digest), b.read());
            this.corruptDigests.delete(b.digest);
            this.published.add(b.digest);
          }),
        ),
    );
  }

  /** Fetches blobs into a local content store, each checked against its digest; returns the digests it could not get intact. */
  async fetchInto(cas: ContentStore, digests: readonly string[]): Promise<string[]> {
    const missing: string[] = [];
    await Promise.all(
      [...new Set(digests)]
        .filter((d) => !cas.has(d as Digest))
        .map((d) =>
          this.limiter.run(async () => {
            const bytes = await this.fetchBlob(d, undefined);
            if (bytes) cas.putBytes(bytes);
            else missing.push(d);
          }),
        ),
    );
    return missing.sort();
  }

  /**
   * An action's outputs from the remote, as a run would leave them: in the local cache and at
   * the action's stable output path. Returns the manifest less its record, or null on a miss.
   */
  async fetchAction(
    task: Pick<ActionTask, 'cacheDir' | 'key' | 'recordJson' | 'outPath'>,
    why: FetchReason = 'cache-hit',
  ): Promise<Omit<Manifest, 'record'> | null> {
    const workspace = new Workspace('.', task.cacheDir);
    const manifest = await this.download(workspace, task.key, task.recordJson, why);
    if (!manifest) return null;
    materializeOutputs(new ContentStore(workspace.casDir), task.outPath, manifest.outputs);
    const { record: _record, ...rest } = manifest;
    return rest;
  }

  private async fetchBlob(digest: string, size: number | undefined): Promise<Buffer | null> {
    const bytes = await this.store.get(casKey(digest));
    if (!bytes) return null;
    if ((size !== undefined && bytes.length !== size) || digestBytes(bytes) !== digest) {
      this.stats.corrupt += 1;
      this.corruptDigests.add(digest);
      return null;
    }
    // Checked just now: a later publish of this digest (a downloaded output that is the next
    // action's input on a distributed build) need not ask the remote again.
    this.published.add(digest);
    return bytes;
  }

  /**
   * Uploads a locally committed action: each blob the remote lacks (or holds at the wrong size,
   * or was seen corrupt), then the manifest, byte for byte as the local action cache has it.
   */
  async upload(cacheDir: { casDir: string; acDir: string }, key: ActionKey): Promise<void> {
    const ac = new ActionCache(cacheDir.acDir);
    const manifestBytes = readFileSync(ac.pathOf(key));
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
    const cas = new ContentStore(cacheDir.casDir);
    const blobs = new Map<string, number>(Object.values(manifest.outputs).map((o) => [o.digest, o.size]));
    if (manifest.log) blobs.set(manifest.log, cas.sizeOf(manifest.log) ?? 0);
    await this.publish(
      [...blobs].map(([digest, size]) => ({ digest, size, read: () => readFileSync(cas.pathOf(digest as Digest)) })),
    );
    await this.limiter.run(() => this.store.put(acKey(key), manifestBytes));
    this.stats.uploaded += 1;
  }
}
