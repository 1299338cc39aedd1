import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyRecord } from './manifest.js';
import type { StatCache } from './stat-cache.js';

/**
 * The platform facts that can change output bits. The lockfile digest stands for every
 * dependency version (DuckDB, TensorFlow.js, esbuild); the Node major for V8 and its libm.
 * Nothing else about the machine is included, so a cache can be shared between machines.
 */
export function platformFacts(root: string, stats: StatCache): KeyRecord['platform'] {
  const lock = join(root, 'package-lock.json');
  return {
    nodeMajor: Number(process.versions.node.split('.')[0]),
    lockfile: existsSync(lock) ? stats.digest(lock) : null,
  };
}
