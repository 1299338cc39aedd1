import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { currentKeys } from '../keys/current-keys.js';
import { isDigest, type Digest } from '../keys/digest.js';
import { isAlive } from './locks.js';
import type { Manifest } from '../keys/manifest.js';
import { planBuild } from '../scheduling/plan.js';
import type { Session } from '../session.js';
import { PROMOTIONS_DIR } from '../workspace.js';

export interface GcResult {
  keptActions: number;
  removedActions: number;
  keptBlobs: number;
  removedBlobs: number;
  freedBytes: number;
  /** Blobs taken out because they were damaged (wrong size; with `repair`, wrong hash), and manifests dropped because a blob of theirs is gone or damaged. */
  repairedBlobs: number;
  droppedManifests: number;
}

export interface GcOptions {
  /** Rehash every blob that is kept and take out those whose bytes no longer match their name (reads the whole store). */
  repair?: boolean;
}

/**
 * Mark and sweep. Roots: the current key of every action in the pipeline (manual targets
 * included) and every digest or key written in a promotion record under promotions/. Kept
 * manifests keep their output and log blobs; everything else in the stores goes, as do temp
 * files left by processes that no longer run and rule bundles no current rule uses.
 */
export async function collectGarbage(session: Session, options: GcOptions = {}): Promise<GcResult> {
  const plan = await planBuild(
    session,
    [...session.pipeline.targets.values()].map((t) => `//${t.name}`),
  );
  const liveKeys = new Set<string>();
  const liveBlobs = new Set<string>();
  for (const action of currentKeys(session, plan).values()) if (action.manifest) liveKeys.add(action.key);
  for (const digest of promotionRoots(session.workspace.root)) {
    liveKeys.add(digest);
    liveBlobs.add(digest);
  }
  const result: GcResult = {
    keptActions: 0,
    removedActions: 0,
    keptBlobs: 0,
    removedBlobs: 0,
    freedBytes: 0,
    repairedBlobs: 0,
    droppedManifests: 0,
  };
  const cas = session.cas;
  const damaged = new Set<Digest>();
  const isDamaged = (digest: Digest, size: number | undefined): boolean => {
    if (damaged.has(digest)) return true;
    const problem = cas.check(digest, size, options.repair ? 'full' : 'size');
    if (problem && problem !== 'missing') damaged.add(digest);
    return problem !== null;
  };
  for (const file of listStore(session.workspace.acDir)) {
    const key = file.name.replace(/\.json$/, '');
    if (liveKeys.has(key) && file.name.endsWith('.json')) {
      let m: Manifest | undefined;
      try {
        m = JSON.parse(readFileSync(file.path, 'utf8')) as Manifest;
      } catch {
        // An unreadable manifest is garbage like any other.
      }
      // A manifest that cannot be served (a blob gone or damaged) goes: the next build runs its action again.
      if (!m || Object.values(m.outputs).some((o) => isDamaged(o.digest, o.size))) {
        result.droppedManifests += 1;
        rmSync(file.path, { force: true });
        continue;
      }
      result.keptActions += 1;
      for (const o of Object.values(m.outputs)) liveBlobs.add(o.digest);
      if (m.log) liveBlobs.add(m.log);
    } else if (isRemovable(file.name)) {
      result.removedActions += file.name.endsWith('.json') ? 1 : 0;
      rmSync(file.path, { force: true });
    }
  }
  for (const file of listStore(session.workspace.casDir)) {
    if (
      damaged.has(file.name as Digest) ||
      (options.repair && liveBlobs.has(file.name) && isDigest(file.name) && isDamaged(file.name, undefined))
    ) {
      result.repairedBlobs += 1;
      rmSync(file.path, { force: true });
    } else if (liveBlobs.has(file.name)) {
      result.keptBlobs += 1;
    } else if (isRemovable(file.name)) {
      result.removedBlobs += isDigest(file.name) ? 1 : 0;
      result.freedBytes += statSync(file.path).size;
      rmSync(file.path, { force: true });
    }
  }
  const liveBundles = new Set(
    [...plan.byName.values()].flatMap((t) => [t.rule.bundlePath, ...t.plugins.map((p) => p.bundlePath)]),
  );
  if (existsSync(session.workspace.rulesBundleDir)) {
    for (const name of readdirSync(session.workspace.rulesBundleDir)) {
      const path = join(session.workspace.rulesBundleDir, name);
      if (!liveBundles.has(path) && isRemovable(name)) rmSync(path, { force: true });
    }
  }
  if (existsSync(session.workspace.tmpDir)) {
    for (const name of readdirSync(session.workspace.tmpDir))
      if (isRemovable(name)) rmSync(join(session.workspace.tmpDir, name), { recursive: true, force: true });
  }
  return result;
}

/** Temp files of a live process are somebody's write in progress; everything else may go. */
function isRemovable(name: string): boolean {
  const temp = /\.tmp-(\d+)-/.exec(name);
  return !temp || !isAlive(Number(temp[1]));
}

function listStore(dir: string): { name: string; path: string }[] {
  if (!existsSync(dir)) return [];
  const out: { name: string; path: string }[] = [];
  for (const shard of readdirSync(dir)) {
    const shardPath = join(dir, shard);
    if (!statSync(shardPath).isDirectory()) continue;
    for (const name of readdirSync(shardPath)) out.push({ name, path: join(shardPath, name) });
  }
  return out;
}

/** Every 64-hex string in the JSON files under promotions/: conservative, like a mark phase should be. */
export function promotionRoots(root: string): Set<Digest> {
  const roots = new Set<Digest>();
  const dir = join(root, PROMOTIONS_DIR);
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.json')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/[0-9a-f]{64}/g)) roots.add(m[0] as Digest);
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return roots;
}
