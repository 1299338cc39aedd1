import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic-write.js';
import { digestBytes, type Digest } from '../keys/digest.js';
import { ConfigError } from '../errors.js';
import type { TargetName } from './label.js';
import type { RemoteCacheSpec } from '../store/remote/remote-cache-config.js';
import { PIPELINE_FILE, type Pipeline, type TargetSpec } from './pipeline.js';
import type { YamlSource } from './yaml-source.js';

// Bump when TargetSpec or validation changes, so an older cached parse is never used.
const PIPELINE_CACHE_FORMAT = 7;

/**
 * Reads and validates quanto.pipeline.yaml. Every problem found is reported at once, each
 * with file:line:col. A validated parse is cached by the file's digest (YAML parsing is the
 * slowest part of a no-op build of a large pipeline); the files it names are checked by the
 * builds that need them (missingFilesOf).
 */
export async function loadPipeline(root: string, stateDir?: string): Promise<Pipeline> {
  const path = join(root, PIPELINE_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`${PIPELINE_FILE}: file not found in ${root}`);
  }
  const cacheFile = stateDir ? join(stateDir, 'pipeline.json') : undefined;
  const digest = digestBytes(text);
  if (cacheFile) {
    const cached = readCachedPipeline(cacheFile, digest);
    if (cached) {
      return cachedPipeline(
        root,
        digest,
        new Map(cached.targets.map((t) => [t.name, t])),
        cached.order,
        cached.remoteCache,
      );
    }
  }
  // YAML, zod and the cycle check load only here: a cached pipeline needs none of them.
  const [{ YamlSource }, { parsePipeline }, { TargetGraph }] = await Promise.all([
    import('./yaml-source.js'),
    import('./pipeline-parse.js'),
    import('./graph.js'),
  ]);
  const pipeline = parsePipeline(root, YamlSource.parse(text, PIPELINE_FILE), digest);
  const graph = new TargetGraph(pipeline); // throws on a cycle, so only acyclic pipelines are cached
  if (cacheFile) {
    try {
      const cache: CachedPipeline = {
        format: PIPELINE_CACHE_FORMAT,
        digest,
        targets: [...pipeline.targets.values()],
        order: [...graph.order],
        ...(pipeline.remoteCache ? { remoteCache: pipeline.remoteCache } : {}),
      };
      writeFileAtomic(cacheFile, JSON.stringify(cache));
    } catch {
      // A read-only cache only costs speed.
    }
  }
  return pipeline;
}

interface CachedPipeline {
  format: number;
  digest: string;
  targets: TargetSpec[];
  order: TargetName[];
  remoteCache?: RemoteCacheSpec;
}

function readCachedPipeline(file: string, digest: string): CachedPipeline | undefined {
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as CachedPipeline;
    return cached.format === PIPELINE_CACHE_FORMAT && cached.digest === digest ? cached : undefined;
  } catch {
    return undefined;
  }
}

function cachedPipeline(
  root: string,
  digest: Digest,
  targets: Map<TargetName, TargetSpec>,
  order: TargetName[],
  remoteCache: RemoteCacheSpec | undefined,
): Pipeline {
  return {
    root,
    digest,
    targets,
    order,
    ...(remoteCache ? { remoteCache } : {}),
    get source(): YamlSource {
      // A cached pipeline passed every check when it was cached, so no error needs its positions.
      throw new Error(
        `internal: source positions of the cached ${PIPELINE_FILE} (digest ${digest.slice(0, 12)}) were requested`,
      );
    },
  };
}
