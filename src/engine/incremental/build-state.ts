import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic-write.js';
import type { ActionKey, Digest } from '../keys/digest.js';
import type { OutputEntry } from '../keys/manifest.js';

export interface ActionState {
  key: ActionKey;
  outputsDigest: Digest;
  outputs: Record<string, OutputEntry>;
}

/** Digests of the leaf inputs of a request's keys (see up-to-date.ts). */
export interface LeafDigests {
  /** Engine files, pipeline file, platform facts: any change here means a full check. */
  global: Digest;
  rules: Record<string, Digest>;
  configs: Record<string, Digest>;
  srcs: Record<string, Digest>;
  /** Digest of all of the above. */
  fingerprint: Digest;
}

/**
 * A complete, successful build of one request: the digests of every leaf input its keys
 * read, and a digest of the (label, key, outputs digest) of each of its actions at the end.
 */
export interface BuildStamp {
  leaves: LeafDigests;
  snapshot: Digest;
  /** Every action of the request, in build order. */
  actions: { label: string; target: string; partition: string | null }[];
}

/**
 * The files a config extends, as last read from it: a function of the config's own bytes, so
 * while its digest is the same the fast path knows them without parsing any YAML.
 */
export interface ConfigFiles {
  digest: Digest;
  extends: string[];
  /** The plugin modules (workspace files) the targets reading this config name: their sources are leaves too. */
  plugins?: string[];
}

interface StateFile {
  format: 3;
  actions: Record<string, ActionState>;
  stamps: Record<string, BuildStamp>;
  configs?: Record<string, ConfigFiles>;
}

// Stamps are per request (the label patterns of one command line); keep the most recent few.
const MAX_STAMPS = 32;

/**
 * The last result per action label, in one file: lets a no-op build skip reading one
 * action-cache file per target. Only an accelerator: an entry is used only when its key
 * equals the key just computed, and losing the file (or a concurrent build overwriting it)
 * costs reads, never correctness.
 */
export class BuildState {
  private readonly file: string;
  private data: StateFile;
  private readonly updates: Record<string, ActionState> = {};
  private readonly newStamps: Record<string, BuildStamp> = {};
  private readonly newConfigs: Record<string, ConfigFiles> = {};

  constructor(stateDir: string) {
    this.file = join(stateDir, 'actions.json');
    this.data = readState(this.file);
  }

  get(label: string): ActionState | undefined {
    return this.data.actions[label];
  }

  labels(): string[] {
    return Object.keys(this.data.actions);
  }

  set(label: string, state: ActionState): void {
    const previous = this.data.actions[label];
    if (previous && previous.key === state.key && previous.outputsDigest === state.outputsDigest) return;
    this.data.actions[label] = state;
    this.updates[label] = state;
  }

  stamp(request: string): BuildStamp | undefined {
    return this.data.stamps[request];
  }

  setStamp(request: string, stamp: BuildStamp): void {
    this.newStamps[request] = stamp;
  }

  /** What the config at this workspace path extends, if known for these bytes of it. */
  configFiles(config: string, digest: Digest): string[] | undefined {
    return this.configRecord(config, digest)?.extends;
  }

  /** The plugin modules the config names, if known for these bytes of it. */
  configPlugins(config: string, digest: Digest): string[] | undefined {
    const known = this.configRecord(config, digest);
    return known ? (known.plugins ?? []) : undefined;
  }

  /**
   * Records what a config extends and the plugins a target reading it names. Two targets may
   * read one config with different rules: for the same bytes, their plugins are pooled.
   */
  setConfigFiles(config: string, digest: Digest, bases: readonly string[], plugins: readonly string[] = []): void {
    const known = this.configRecord(config, digest);
    const pooled = [...new Set([...(known?.plugins ?? []), ...plugins])].sort();
    const same = (a: readonly string[], b: readonly string[]) => a.join('\n') === b.join('\n');
    if (known && same(known.extends, bases) && same(known.plugins ?? [], pooled)) return;
    this.newConfigs[config] = { digest, extends: [...bases], ...(pooled.length > 0 ? { plugins: pooled } : {}) };
  }

  private configRecord(config: string, digest: Digest): ConfigFiles | undefined {
    const known = this.newConfigs[config] ?? this.data.configs?.[config];
    return known && known.digest === digest ? known : undefined;
  }

  /** Merges this build's results over whatever another build wrote meanwhile. */
  save(): void {
    if (
      Object.keys(this.updates).length === 0 &&
      Object.keys(this.newStamps).length === 0 &&
      Object.keys(this.newConfigs).length === 0
    )
      return;
    const current = readState(this.file);
    const stamps = { ...current.stamps };
    for (const [request, stamp] of Object.entries(this.newStamps)) {
      delete stamps[request]; // re-inserted last: insertion order is recency
      stamps[request] = stamp;
    }
    const requests = Object.keys(stamps);
    for (const old of requests.slice(0, Math.max(0, requests.length - MAX_STAMPS))) delete stamps[old];
    const merged: StateFile = {
      format: 3,
      actions: { ...current.actions, ...this.updates },
      stamps,
      configs: { ...current.configs, ...this.newConfigs },
    };
    writeFileAtomic(this.file, JSON.stringify(merged));
    this.data = merged;
    for (const k of Object.keys(this.updates)) delete this.updates[k];
    for (const k of Object.keys(this.newStamps)) delete this.newStamps[k];
    for (const k of Object.keys(this.newConfigs)) delete this.newConfigs[k];
  }
}

function readState(file: string): StateFile {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as StateFile;
    if (data.format === 3) return data;
  } catch {
    // Missing or unreadable: start empty.
  }
  return { format: 3, actions: {}, stamps: {} };
}
