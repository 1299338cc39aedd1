import { describeBlobProblem, type BlobProblem } from '../store/cas.js';
import { shortDigest, type ActionKey, type Digest } from '../keys/digest.js';
import type { TargetName } from '../pipeline/label.js';
import type { RemoteCacheStats } from '../store/remote/remote-cache.js';
import type { ProgressReport } from './action-task.js';
import type { BuildPlan } from './plan.js';

/** What a build reports: one result per action, events as it runs, and the totals at the end. */
export type ActionStatus = 'built' | 'cached' | 'failed' | 'skipped';

export interface ActionResult {
  label: string;
  target: TargetName;
  partition: string | null;
  status: ActionStatus;
  key?: ActionKey;
  outputs?: Record<string, Digest>;
  outputsDigest?: Digest;
  error?: string;
  logPath?: string;
  durationMs?: number;
  /** A cached result that came from the remote cache (downloaded, not run). */
  remote?: true;
  /** Failed on the machine (a full or read-only disk), not on its inputs. */
  machine?: true;
}

export interface BuildResult {
  actions: ActionResult[];
  /** True when the build was cancelled through its signal. */
  cancelled?: boolean;
  built: number;
  cached: number;
  failed: number;
  skipped: number;
  wallMs: number;
  /** What the remote cache did in this build, when one is in use. */
  remote?: RemoteCacheStats;
  /** Damaged or missing blobs found in the local store, each taken out and its producer run again. */
  repaired?: CacheRepair[];
}

/**
 * A blob of the content store that could not be used: a manifest's output gone or of the wrong
 * size (found by the cache check), or an input whose bytes no longer hash to its name (found
 * before a rule read it). Either way it is a cache miss of the producing target, never a failure.
 */
export interface CacheRepair {
  /** The target whose output it was; it runs again in this build. */
  target: string;
  output: string;
  digest: Digest;
  problem: BlobProblem;
}

export function describeRepair(r: CacheRepair): string {
  return `${r.target}: output '${r.output}' (blob ${shortDigest(r.digest)}) ${describeBlobProblem(r.problem)}; rebuilding ${r.target}`;
}

export type BuildEvent =
  | { type: 'planned'; plan: BuildPlan }
  | { type: 'start'; label: string }
  | { type: 'finish'; result: ActionResult }
  | { type: 'progress'; report: ProgressReport }
  | { type: 'repair'; repair: CacheRepair };
