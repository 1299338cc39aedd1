import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../engine/errors.js';
import { PIPELINE_FILE } from '../engine/pipeline/pipeline.js';

/** The workspace is the nearest directory at or above `start` holding quanto.pipeline.yaml. */
export function findWorkspaceRoot(start: string): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, PIPELINE_FILE))) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new ConfigError(
        `no ${PIPELINE_FILE} in ${resolve(start)} or any directory above it; run quanto inside a workspace or pass -C DIR`,
      );
    dir = parent;
  }
}
