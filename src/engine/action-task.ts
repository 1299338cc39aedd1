import type { ActionKey, Digest } from './digest.js';
import type { KeyRecord, Manifest } from './manifest.js';
import type { Partition } from './rule-api.js';

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
  readonly seed: number;
  readonly key: ActionKey;
  readonly record: KeyRecord;
  /** Dependency label → its output files by name, and the digest of that set. */
  readonly inputs: Readonly<Record<string, { files: Record<string, Digest>; outputsDigest: Digest }>>;
  /** Workspace-relative path → absolute path. */
  readonly srcs: Readonly<Record<string, string>>;
  readonly outPath: string;
  readonly logPath: string;
  /** BroadcastChannel name for progress reports, when someone listens. */
  readonly progressChannel: string | null;
}

export type ActionOutcome =
  | { ok: true; manifest: Manifest }
  | { ok: false; error: string; logPath: string; durationMs: number };

export interface ProgressReport {
  label: string;
  done: number;
  total?: number;
  unit?: string;
}
