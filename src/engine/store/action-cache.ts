import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import type { ActionKey } from '../keys/digest.js';
import type { Manifest } from '../keys/manifest.js';

/**
 * Action key → manifest. The manifest is written last, after every output blob is in the
 * content store, so its presence is the commit point of an action.
 */
// A marker that cannot occur in a manifest otherwise (labels and names never hold NUL).
const RECORD_SLOT = '\u0000record\u0000';

export class ActionCache {
  constructor(readonly dir: string) {}

  /**
   * Removes the half-written manifests this process left: a worker thread terminated by a
   * cancelled build between writing a manifest's temp file and renaming it leaves the temp file
   * (never a manifest: the rename is the commit). Called once the cancelled build's threads are gone.
   */
  removeTempFilesOf(pid: number): void {
    const mine = `.tmp-${pid}-`;
    let shards: string[];
    try {
      shards = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const shard of shards) {
      let names: string[];
      try {
        names = readdirSync(join(this.dir, shard));
      } catch {
        continue;
      }
      for (const name of names) if (name.includes(mine)) rmSync(join(this.dir, shard, name), { force: true });
    }
  }

  pathOf(key: ActionKey): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  get(key: ActionKey): Manifest | undefined {
    let text: string;
    try {
      text = readFileSync(this.pathOf(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const manifest = JSON.parse(text) as Manifest;
      return manifest.key === key ? manifest : undefined;
    } catch {
      // Unreadable manifests are treated as absent: the action simply runs again.
      return undefined;
    }
  }

  put(manifest: Manifest): void {
    writeFileAtomic(this.pathOf(manifest.key), JSON.stringify(manifest));
  }

  /** Writes a manifest whose record is already canonical JSON (as workers receive it), without parsing it back. */
  putWithRecordJson(manifest: Omit<Manifest, 'record'>, recordJson: string): void {
    const json = JSON.stringify({ ...manifest, record: RECORD_SLOT });
    writeFileAtomic(
      this.pathOf(manifest.key),
      json.replace(JSON.stringify(RECORD_SLOT), () => recordJson),
    );
  }
}
