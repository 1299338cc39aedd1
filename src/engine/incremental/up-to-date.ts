import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { combineOutputs, type TargetOutputs } from '../keys/action-key.js';
import { type ActionResult, type BuildResult } from '../scheduling/build-events.js';
import type { ActionState, BuildStamp, LeafDigests } from './build-state.js';
import { canonicalJson } from '../keys/canonical-json.js';
import { digestBytes, type Digest } from '../keys/digest.js';
import type { TargetName } from '../pipeline/label.js';
import { outputsInPlace } from '../store/out-tree.js';
import type { Session } from '../session.js';
import { expandSrc, isSrcGlob } from '../pipeline/src-globs.js';

/**
 * Reusing the last build, in the spirit of ninja's log and Skyframe's dirty propagation.
 * A build that finished with every action built or cached leaves a stamp: the digest of each
 * leaf input its keys read (the pipeline, each rule's source files, each config, each declared
 * source, the platform, the engine itself) and a snapshot of its actions' states.
 *
 * Next time, while the state still matches the snapshot:
 * - no leaf changed: every key would come out the same and every action would be a cache
 *   hit, so the build is answered from the state without loading a rule or hashing a key;
 * - some rule, config or source changed: only targets that read one, and what depends on
 *   them, need their keys computed; every other target is taken from the state as it is.
 * A change to the pipeline, the platform or the engine, or a state that moved on (a build of
 * another request in between), means the full check.
 */

export function requestId(patterns: readonly string[]): string {
  return [...new Set(patterns)].sort().join(' ');
}

/** undefined when some input cannot be fingerprinted cheaply (a rule never bundled, say, or a config that is missing). */
export function leafDigests(session: Session, patterns: readonly string[]): LeafDigests | undefined {
  try {
    return fingerprintLeaves(session, patterns);
  } catch (err) {
    // A file the pipeline names is gone: the full check will say which, with its position.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function fingerprintLeaves(session: Session, patterns: readonly string[]): LeafDigests | undefined {
  const targets = session.graph.closure(session.graph.select(patterns));
  const rules: Record<string, Digest> = {};
  const configs: Record<string, Digest> = {};
  const srcs: Record<string, Digest> = {};
  const root = session.workspace.root;
  for (const name of targets) {
    const spec = session.graph.spec(name);
    if (!(spec.rule in rules)) {
      const current = session.rules.currentSources(spec.rule);
      if (!current) return undefined;
      rules[spec.rule] = digestBytes(canonicalJson(current));
    }
    if (spec.config && !(spec.config in configs)) {
      const own = session.stats.digest(join(root, spec.config));
      // A config that extends others is as fresh as all of them; which ones is known from its last read.
      const bases = session.state.configFiles(spec.config, own) ?? basesWithoutParsing(join(root, spec.config));
      if (!bases) return undefined;
      // The plugins it names (strategies) are code its targets run: as fresh as their sources, too.
      const plugins: Record<string, Digest> = {};
      for (const file of session.state.configPlugins(spec.config, own) ?? []) {
        const sources = session.plugins.currentSources(file);
        if (!sources) return undefined;
        plugins[`plugin:${file}`] = digestBytes(canonicalJson(sources));
      }
      configs[spec.config] =
        bases.length === 0 && Object.keys(plugins).length === 0
          ? own
          : digestBytes(
              canonicalJson({
                [spec.config]: own,
                ...Object.fromEntries(bases.map((b) => [b, session.stats.digest(join(root, b))])),
                ...plugins,
              }),
            );
    }
    for (const src of spec.srcs) {
      if (src in srcs) continue;
      // A glob's leaf is its whole match set: a file appearing or going away changes it.
      srcs[src] = isSrcGlob(src)
        ? digestBytes(
            canonicalJson(
              Object.fromEntries(expandSrc(root, src).map((f) => [f, session.stats.digest(join(root, f))])),
            ),
          )
        : session.stats.digest(join(root, src));
    }
  }
  const global = digestBytes(
    canonicalJson({
      keyFormat: 1,
      engine: engineDigest(session),
      pipeline: session.pipeline.digest,
      platform: session.platform,
    }),
  );
  const leaves = { global, rules, configs, srcs };
  return { ...leaves, fingerprint: digestBytes(canonicalJson(leaves)) };
}

/**
 * The engine's own files, every folder of it: a changed engine may compute keys differently, so
 * it voids every stamp. Keyed by path under the engine directory, in sorted order.
 */
function engineDigest(session: Session): Record<string, Digest> {
  const engineDir = dirname(dirname(fileURLToPath(import.meta.url)));
  const out: Record<string, Digest> = {};
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const name = prefix + entry.name;
      if (entry.isDirectory()) walk(join(dir, entry.name), name + '/');
      else if (/\.(js|ts)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
        out[name] = session.stats.digest(join(dir, entry.name));
    }
  };
  walk(engineDir, '');
  return out;
}

/**
 * A config just edited is not yet in the state: one whose text never says `extends` extends
 * nothing, which is most of them; any other is left to the full check, which records it.
 */
function basesWithoutParsing(file: string): string[] | undefined {
  return readFileSync(file, 'utf8').includes('extends') ? undefined : [];
}

interface StampedAction {
  label: string;
  target: TargetName;
  partition: string | null;
  state: ActionState;
}

function snapshotOf(entries: readonly { label: string; state: ActionState }[]): Digest {
  return digestBytes(entries.map((e) => `${e.label}\u0000${e.state.key}\u0000${e.state.outputsDigest}`).join('\n'));
}

/** A target taken from the last build as it is: its actions' results and its outputs as dependents see them. */
export interface TrustedTarget {
  results: ActionResult[];
  outputs: TargetOutputs;
}

export type Reuse =
  | { kind: 'all'; result: BuildResult }
  /** Targets whose actions are taken from the state as they are; the rest are planned and checked. */
  | { kind: 'partial'; trusted: Map<TargetName, TrustedTarget> };

export function reuseLastBuild(
  session: Session,
  patterns: readonly string[],
  leaves: LeafDigests | undefined,
  started: number,
): Reuse | undefined {
  if (!leaves) return undefined;
  const stamp = session.state.stamp(requestId(patterns));
  if (!stamp || stamp.leaves.global !== leaves.global) return undefined;
  const entries: StampedAction[] = [];
  for (const a of stamp.actions) {
    const state = session.state.get(a.label);
    if (!state) return undefined;
    entries.push({ ...a, target: a.target as TargetName, state });
  }
  if (snapshotOf(entries) !== stamp.snapshot) return undefined;

  const dirty = dirtyTargets(session, stamp, leaves);
  const trusted = new Map<TargetName, TrustedTarget>();
  const byTarget = new Map<TargetName, StampedAction[]>();
  for (const e of entries) {
    if (dirty.has(e.target)) continue;
    // A blob gone from the store (deleted, collected, truncated) voids the shortcut: the full check rebuilds its producer.
    if (!outputsInPlace(session.cas, session.workspace.outPathOf(e.target, e.partition), e.state.outputs))
      return undefined;
    const list = byTarget.get(e.target);
    if (list) list.push(e);
    else byTarget.set(e.target, [e]);
  }
  for (const [target, actions] of byTarget) {
    trusted.set(target, {
      results: actions.map((a) => cachedResult(a)),
      outputs: combineOutputs(
        actions.map((a) => ({
          partition: a.partition,
          outputs: a.state.outputs,
          outputsDigest: a.state.outputsDigest,
        })),
      ),
    });
  }
  if (dirty.size === 0) {
    const actions = entries.map((e) => cachedResult(e));
    return {
      kind: 'all',
      result: { actions, built: 0, cached: actions.length, failed: 0, skipped: 0, wallMs: Date.now() - started },
    };
  }
  return { kind: 'partial', trusted };
}

/** Targets that read a changed rule, config or source, and everything above them. */
function dirtyTargets(session: Session, stamp: BuildStamp, leaves: LeafDigests): Set<TargetName> {
  if (stamp.leaves.fingerprint === leaves.fingerprint) return new Set();
  const changed = (a: Record<string, Digest>, b: Record<string, Digest>) =>
    new Set(Object.keys(b).filter((k) => a[k] !== b[k]));
  const rules = changed(stamp.leaves.rules, leaves.rules);
  const configs = changed(stamp.leaves.configs, leaves.configs);
  const srcs = changed(stamp.leaves.srcs, leaves.srcs);
  const touched = stamp.actions
    .map((a) => a.target as TargetName)
    .filter((name) => {
      const spec = session.graph.spec(name);
      return (
        rules.has(spec.rule) ||
        (spec.config !== undefined && configs.has(spec.config)) ||
        spec.srcs.some((s) => srcs.has(s))
      );
    });
  return new Set(session.graph.reverseClosure([...new Set(touched)]));
}

function cachedResult(a: StampedAction): ActionResult {
  const outputs: Record<string, Digest> = {};
  for (const [name, o] of Object.entries(a.state.outputs)) outputs[name] = o.digest;
  return {
    label: a.label,
    target: a.target,
    partition: a.partition,
    status: 'cached',
    key: a.state.key,
    outputs,
    outputsDigest: a.state.outputsDigest,
  };
}

/** Stamps a build that completed cleanly, if its inputs did not change while it ran. */
export function stampBuild(
  session: Session,
  patterns: readonly string[],
  leavesBefore: LeafDigests | undefined,
  result: BuildResult,
): void {
  if (result.failed > 0 || result.skipped > 0) return;
  const leaves = leafDigests(session, patterns);
  if (!leaves || leaves.fingerprint !== leavesBefore?.fingerprint) return;
  const entries: { label: string; state: ActionState }[] = [];
  for (const a of result.actions) {
    const state = session.state.get(a.label);
    if (!state || state.key !== a.key) return;
    entries.push({ label: a.label, state });
  }
  session.state.setStamp(requestId(patterns), {
    leaves,
    snapshot: snapshotOf(entries),
    actions: result.actions.map((a) => ({ label: a.label, target: a.target, partition: a.partition })),
  });
}
