import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Digest } from '../keys/digest.js';
import type { TargetName } from './label.js';
import type { RemoteCacheSpec } from '../store/remote/remote-cache-config.js';
import type { YamlSource } from './yaml-source.js';
import { isSrcGlob } from './src-globs.js';
import type { MatrixOverride } from './matrix.js';

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
  /** For one point of a matrix target: the matrix's name, the point's values, and the config values they set. */
  readonly matrix?: {
    readonly target: TargetName;
    readonly point: Readonly<Record<string, string>>;
    readonly overrides: readonly MatrixOverride[];
  };
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
