import type { ActionKey, Digest } from './digest.js';
import type { Partition } from '../rule-api.js';

/**
 * The canonical record an action key is the hash of. Every field is here because changing
 * it can change the output bytes; nothing else is (no absolute paths, no timestamps), so
 * keys are stable across clones and cache locations.
 */
export interface KeyRecord {
  /** Bumped when the shape of this record changes, so old cache entries are never misread. */
  keyFormat: 1;
  label: string;
  rule: {
    name: string;
    version: number;
    /** Every repo file the rule's bundle was built from (workspace-relative) → digest. */
    sources: Record<string, Digest>;
  };
  /** The config after zod defaults; serialised canonically, so YAML key order does not matter. */
  config: unknown;
  partition: Partition | null;
  /** Dependency label → digest of its outputs (not its key): this is what gives early cutoff. */
  deps: Record<string, Digest>;
  /** Declared source files → digest of their bytes. */
  srcs: Record<string, Digest>;
  /** The few platform facts that change bits. */
  platform: { nodeMajor: number; lockfile: Digest | null };
  /** Facts about this machine the rule's output bits depend on (a numeric backend), as the rule reports them. */
  facts?: Record<string, string>;
  /**
   * The plugin modules the config names (strategies/<name>.ts), by file → every repo file its
   * bundle was built from: a plugin is code that runs, so it is keyed as the rule is. Absent
   * when the action uses none, so rules without plugins keep their keys.
   */
  plugins?: Record<string, { sources: Record<string, Digest> }>;
  /** For external rules with a freshness policy: the clock-derived token (absent when final). */
  freshness?: string;
}

export interface OutputEntry {
  digest: Digest;
  size: number;
}

export interface Manifest {
  manifestFormat: 1;
  label: string;
  target: string;
  partition: string | null;
  key: ActionKey;
  record: KeyRecord;
  ruleVersion: number;
  outputs: Record<string, OutputEntry>;
  outputsDigest: Digest;
  rows: Record<string, number>;
  log: Digest | null;
  timings: { startedAt: string; durationMs: number };
  fetched?: unknown;
  validation?: unknown;
  /** Column roles of the tabular outputs, as the rule declared them. */
  columns?: Record<string, string>;
  /** The reserve this action read, as the rule reported it (see holdout-ledger.ts). */
  holdout?: { family: string; record?: Record<string, string | number | null> };
}
