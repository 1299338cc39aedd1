import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { digestBytes, type Digest } from './digest.js';
import { ConfigError } from './errors.js';
import type { TargetName } from './label.js';
import type { RemoteCacheSpec } from './remote/remote-cache-config.js';
import type { YamlSource } from './yaml-source.js';
import { isSrcGlob } from './src-globs.js';

export const PIPELINE_FILE = 'quanto.pipeline.yaml';

/**
 * What an action needs of the machine that runs it, for distributed execution: `memory` for
 * actions that need a large heap (a worker offers the classes it can serve).
 */
export const RESOURCE_CLASSES = ['cpu', 'memory'] as const;
export type ResourceClass = (typeof RESOURCE_CLASSES)[number];

export interface TargetSpec {
  readonly name: TargetName;
  readonly rule: string;
  readonly config: string | undefined;
  readonly deps: readonly TargetName[];
  readonly srcs: readonly string[];
  readonly partitions: Readonly<Record<string, readonly string[]>> | undefined;
  /** `manual` keeps a target out of wildcard patterns, as in Bazel. */
  readonly tags: readonly string[];
  readonly resourceClass: ResourceClass;
  readonly description: string | undefined;
  /**
   * Where the config and each source were written, as the start of an error about them
   * (`file:line:col: target 'x': key 'srcs[1]'`). Whether those files exist is
   * checked when a build needs the target, not when the pipeline loads: a missing config must
   * fail the builds that read it, not `quanto ls` or a build of something else.
   */
  readonly locations?: { readonly config?: string; readonly srcs?: Readonly<Record<string, string>> };
}

/** The config and source files a target names that do not exist, each as a located error. */
export function missingFilesOf(root: string, spec: TargetSpec): string[] {
  const problems: string[] = [];
  for (const src of spec.srcs) {
    if (!isSrcGlob(src) && !existsSync(join(root, src)))
      problems.push(
        `${spec.locations?.srcs?.[src] ?? `target '${spec.name}': key 'srcs'`}: file '${src}' does not exist`,
      );
  }
  if (spec.config !== undefined && !existsSync(join(root, spec.config)))
    problems.push(
      `${spec.locations?.config ?? `target '${spec.name}': key 'config'`}: file '${spec.config}' does not exist`,
    );
  return problems;
}

export interface Pipeline {
  readonly root: string;
  /** Digest of the pipeline file's text. */
  readonly digest: Digest;
  /** The parsed YAML, for error locations (not kept for a pipeline that came from the cache). */
  readonly source: YamlSource;
  readonly targets: ReadonlyMap<TargetName, TargetSpec>;
  /** The topological order, when the pipeline came from the cache (where it was stored once computed). */
  readonly order?: readonly TargetName[];
  /** The `remote_cache:` block, if any. */
  readonly remoteCache?: RemoteCacheSpec;
}

// Bump when TargetSpec or validation changes, so an older cached parse is never used.
const PIPELINE_CACHE_FORMAT = 6;

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
