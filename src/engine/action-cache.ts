import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import type { ActionKey } from './digest.js';
import type { Manifest } from './manifest.js';

/**
 * Action key → manifest. The manifest is written last, after every output blob is in the
 * content store, so its presence is the commit point of an action.
 */
export class ActionCache {
  constructor(readonly dir: string) {}

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
    writeFileAtomic(this.pathOf(manifest.key), JSON.stringify(manifest, null, 1));
  }
}
