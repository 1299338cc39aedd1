import { canonicalJson } from '../../keys/canonical-json.js';
import { digestBytes, type ActionKey, type Digest } from '../../keys/digest.js';
import type { KeyRecord } from '../../keys/manifest.js';
import type { Partition } from '../../rule-api.js';
import type { ResourceClass } from '../../pipeline/pipeline.js';

/**
 * An action as it travels through the queue: plain data with no path of the coordinator's
 * machine. Inputs and sources are digests the worker fetches from the remote cache; the rule is
 * named, and the worker bundles its own checkout's copy and must find the same source digests.
 */
export interface ActionJob {
  label: string;
  target: string;
  partition: Partition | null;
  partitionPath: string | null;
  ruleName: string;
  ruleVersion: number;
  config: unknown;
  /** The plugin modules the config names, as the rule named them (the worker resolves them in its own checkout). */
  plugins?: string[];
  seed: number;
  key: ActionKey;
  recordJson: string;
  inputs: Record<string, { files: Record<string, Digest>; outputsDigest: Digest }>;
  /** Workspace-relative path → digest of the bytes the coordinator hashed into the key. */
  srcs: Record<string, Digest>;
  parallelism: number;
  resourceClass: ResourceClass;
}

/** What a worker reports when it has run an action and uploaded its outputs. */
export interface ActionJobResult {
  outputsDigest: Digest;
  worker: string;
  durationMs: number;
}

/**
 * The queue an action goes to: one per platform (Node major and lockfile, the facts that change
 * bits), remote cache (where the worker must fetch inputs and upload outputs) and resource class.
 * A worker only ever sees work its own installation can reproduce, its cache can serve and its
 * resources can run; and a job's id (the action key) deduplicates within one cache only.
 */
export function queueNameOf(platform: KeyRecord['platform'], cacheId: string, resourceClass: ResourceClass): string {
  return `quanto-${digestBytes(canonicalJson({ platform, cache: cacheId })).slice(0, 16)}-${resourceClass}`;
}
