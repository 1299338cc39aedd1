import { canonicalJson } from './canonical-json.js';
import { expandSrcs } from '../pipeline/src-globs.js';
import { digestBytes, type ActionKey, type Digest } from './digest.js';
import type { KeyRecord } from './manifest.js';
import type { ActionPlan, TargetPlan } from '../scheduling/plan.js';
import type { Session } from '../session.js';

export interface TargetOutputs {
  /** Output name → blob digest; for a partitioned target names are prefixed with the partition path. */
  files: Record<string, Digest>;
  /** Output name → size in bytes, as the producing manifests recorded it: the cheap check of an input blob. */
  sizes?: Record<string, number>;
  outputsDigest: Digest;
}

/** Per-target parts of the record, serialised once per build rather than once per action. */
interface StaticParts {
  sortedDeps: string[];
  configJson: string;
  ruleJson: string;
  platformJson: string;
  srcs: Record<string, Digest>;
  srcsJson: string;
  /** The plugin modules the config names, file → sources (undefined when it names none). */
  plugins: NonNullable<KeyRecord['plugins']> | undefined;
  /** The rule's key facts (undefined when it declares none). */
  facts: Record<string, string> | undefined;
}

const staticParts = new WeakMap<TargetPlan, StaticParts>();
const jsonOfObject = new WeakMap<object, string>();

/** canonicalJson, memoised on an object shared by many targets (a rule, the platform facts). */
function sharedJson(owner: object, value: () => unknown): string {
  let json = jsonOfObject.get(owner);
  if (json === undefined) {
    json = canonicalJson(value());
    jsonOfObject.set(owner, json);
  }
  return json;
}

function partsOf(session: Session, target: TargetPlan): StaticParts {
  let parts = staticParts.get(target);
  if (!parts) {
    const srcs: Record<string, Digest> = {};
    for (const src of expandSrcs(session.workspace.root, target.spec.srcs))
      srcs[src] = session.stats.digest(`${session.workspace.root}/${src}`);
    parts = {
      sortedDeps: [...target.spec.deps].sort(),
      configJson: canonicalJson(target.config),
      ruleJson: sharedJson(target.rule, () => ruleOf(target)),
      platformJson: sharedJson(session.platform, () => session.platform),
      srcs,
      srcsJson: canonicalJson(srcs),
      plugins: target.plugins.length > 0 ? pluginsOf(target) : undefined,
      facts: target.rule.rule.keyFacts?.(target.config),
    };
    staticParts.set(target, parts);
  }
  return parts;
}

function pluginsOf(target: TargetPlan): NonNullable<KeyRecord['plugins']> {
  const out: NonNullable<KeyRecord['plugins']> = {};
  for (const p of target.plugins) out[p.file] = { sources: p.sources as Record<string, Digest> };
  return out;
}

function ruleOf(target: TargetPlan): KeyRecord['rule'] {
  return {
    name: target.rule.name,
    version: target.rule.rule.version,
    sources: target.rule.sources as Record<string, Digest>,
  };
}

/**
 * The canonical record of an action, given its dependencies' outputs, and its key. Inputs
 * enter by output digest, not by key: a dependency rebuilt to the same bytes leaves this
 * record, and so the key, unchanged (early cutoff). The JSON is assembled from parts
 * serialised once per target, in canonicalJson's sorted key order; a test holds the two equal.
 */
export function keyOf(
  session: Session,
  action: ActionPlan,
  depOutputs: (dep: string) => TargetOutputs,
): { record: KeyRecord; recordJson: string; key: ActionKey } {
  const target = action.target;
  const parts = partsOf(session, target);
  const deps: Record<string, Digest> = {};
  let depsJson = '{';
  for (const dep of parts.sortedDeps) {
    const digest = depOutputs(dep).outputsDigest;
    deps[`//${dep}`] = digest;
    depsJson += `${depsJson.length > 1 ? ',' : ''}${JSON.stringify(`//${dep}`)}:${JSON.stringify(digest)}`;
  }
  depsJson += '}';
  const partition = action.partition?.partition ?? null;
  // Clock-derived, so only for rules that ask for it; evaluated here, in the engine, never in the rule's run.
  const freshness = target.rule.rule.freshness?.(target.config, partition, Date.now());
  const json =
    `{"config":${parts.configJson},"deps":${depsJson},${parts.facts === undefined ? '' : `"facts":${canonicalJson(parts.facts)},`}${freshness === undefined ? '' : `"freshness":${JSON.stringify(freshness)},`}"keyFormat":1,"label":${JSON.stringify(action.label)},` +
    `"partition":${canonicalJson(partition)},"platform":${parts.platformJson},${parts.plugins === undefined ? '' : `"plugins":${canonicalJson(parts.plugins)},`}"rule":${parts.ruleJson},"srcs":${parts.srcsJson}}`;
  const record: KeyRecord = {
    keyFormat: 1,
    label: action.label,
    rule: ruleOf(target),
    config: target.config,
    partition,
    deps,
    srcs: parts.srcs,
    platform: session.platform,
    ...(parts.plugins === undefined ? {} : { plugins: parts.plugins }),
    ...(parts.facts === undefined ? {} : { facts: parts.facts }),
    ...(freshness === undefined ? {} : { freshness }),
  };
  return { record, recordJson: json, key: digestBytes(json) as string as ActionKey };
}

/** The key of a record: the digest of its canonical JSON. */
export function actionKeyOf(record: KeyRecord): ActionKey {
  return digestBytes(canonicalJson(record)) as string as ActionKey;
}

/** A 32-bit seed from the key: the same for the same inputs, different when any input differs. */
export function seedOf(key: ActionKey): number {
  return Number.parseInt(key.slice(0, 8), 16);
}

export interface ActionOutputs {
  /** Partition path, or null for an unpartitioned target. */
  partition: string | null;
  outputs: Record<string, { digest: Digest; size?: number }>;
  outputsDigest: Digest;
}

/**
 * A target's outputs as its dependents see them, from its actions' outputs. A partitioned
 * target's file names are prefixed by the partition path, and its digest is over the
 * per-partition digests.
 */
export function combineOutputs(actions: readonly ActionOutputs[]): TargetOutputs {
  const files: Record<string, Digest> = {};
  const sizes: Record<string, number> = {};
  const add = (name: string, entry: { digest: Digest; size?: number }): void => {
    files[name] = entry.digest;
    if (entry.size !== undefined) sizes[name] = entry.size;
  };
  if (actions.length === 1 && actions[0]!.partition === null) {
    const only = actions[0]!;
    for (const [name, entry] of Object.entries(only.outputs)) add(name, entry);
    return { files, sizes, outputsDigest: only.outputsDigest };
  }
  const perPartition: Record<string, Digest> = {};
  for (const a of actions) {
    perPartition[a.partition!] = a.outputsDigest;
    for (const [name, entry] of Object.entries(a.outputs)) add(`${a.partition}/${name}`, entry);
  }
  return { files, sizes, outputsDigest: digestBytes(canonicalJson(perPartition)) };
}

export function combineTargetOutputs(
  target: TargetPlan,
  outputsOf: (action: ActionPlan) => {
    outputs: Record<string, { digest: Digest; size?: number }>;
    outputsDigest: Digest;
  },
): TargetOutputs {
  return combineOutputs(target.actions.map((a) => ({ partition: a.partition?.path ?? null, ...outputsOf(a) })));
}
