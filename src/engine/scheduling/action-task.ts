import type { ActionKey, Digest } from '../keys/digest.js';
import type { LostInput } from '../store/input-check.js';
import type { Manifest } from '../keys/manifest.js';
import type { ResourceClass } from '../pipeline/pipeline.js';
import type { Partition } from '../rule-api.js';
import type { PluginTaskEntry } from './plugin-registry.js';

/** Everything a worker needs to run one action; plain data, so it crosses thread boundaries. */
export interface ActionTask {
  readonly cacheDir: string;
  readonly label: string;
  readonly target: string;
  readonly partition: Partition | null;
  readonly partitionPath: string | null;
  readonly bundlePath: string;
  readonly ruleName: string;
  readonly ruleVersion: number;
  readonly config: unknown;
  /** The plugins the config names: module path as the rule gave it → its bundle and sources digest. */
  readonly plugins: Readonly<Record<string, PluginTaskEntry>>;
  readonly seed: number;
  readonly key: ActionKey;
  /** The key record as canonical JSON: a string crosses to a worker far cheaper than an object graph. */
  readonly recordJson: string;
  /** Dependency label → its output files by name, and the digest of that set. */
  readonly inputs: Readonly<
    Record<string, { files: Record<string, Digest>; sizes?: Record<string, number>; outputsDigest: Digest }>
  >;
  /**
   * Tells one build from the next in a thread that outlives builds (watch mode): each input
   * blob is rehashed once per build and thread. Absent: every task rehashes its inputs.
   */
  readonly buildId?: string;
  /** Workspace-relative path → absolute path. */
  readonly srcs: Readonly<Record<string, string>>;
  readonly outPath: string;
  /** Actions that may run at once in this build. */
  readonly parallelism: number;
  readonly logPath: string;
  /** BroadcastChannel for progress events, when someone listens. */
  readonly eventChannel: string | null;
  /** Which distributed workers may take it (the target's resource_class). */
  readonly resourceClass: ResourceClass;
}

/** What a worker reports back: the manifest it committed, less the record the scheduler already has. */
export type ActionOutcome =
  | {
      ok: true;
      manifest: Omit<Manifest, 'record'>;
      /** 'remote': downloaded from the remote cache instead of run; 'distributed': run by a worker elsewhere (which uploaded it). */
      origin?: 'remote' | 'distributed';
    }
  | {
      ok: false;
      error: string;
      logPath: string;
      durationMs: number;
      /** The rule never ran: these inputs were damaged or gone in the content store (their producers must run again). */
      lostInputs?: LostInput[];
      /** It failed on the machine (disk full, not writable), not on the research: the CLI exits 2. */
      machine?: true;
    };

export interface ProgressReport {
  label: string;
  done: number;
  total?: number;
  unit?: string;
}

/**
 * What a running action tells the scheduler, from whichever thread runs it. The key tells two
 * actions of one label apart where both may run at once (a distributed worker serving two builds).
 */
export type ActionEvent =
  ({ kind: 'progress'; key: ActionKey } & ProgressReport) | { kind: 'started'; key: ActionKey; label: string };
