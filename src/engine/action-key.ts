import { canonicalJson } from './canonical-json.js';
import { digestBytes, type ActionKey, type Digest } from './digest.js';
import type { KeyRecord } from './manifest.js';
import type { ActionPlan, TargetPlan } from './plan.js';
import type { Session } from './session.js';

export interface TargetOutputs {
  /** Output name → blob digest; for a partitioned target names are prefixed with the partition path. */
  files: Record<string, Digest>;
  outputsDigest: Digest;
}

/**
 * The canonical record of an action, given its dependencies' outputs. Inputs enter by
 * output digest, not by key: a dependency rebuilt to the same bytes leaves this record,
 * and so the key, unchanged (early cutoff).
 */
export function keyRecordOf(session: Session, action: ActionPlan, depOutputs: (dep: string) => TargetOutputs): KeyRecord {
  const { spec, rule, config } = action.target;
  const deps: Record<string, Digest> = {};
  for (const dep of spec.deps) deps[`//${dep}`] = depOutputs(dep).outputsDigest;
  const srcs: Record<string, Digest> = {};
  for (const src of spec.srcs) srcs[src] = session.stats.digest(`${session.workspace.root}/${src}`);
  return {
    keyFormat: 1,
    label: action.label,
    rule: { name: rule.name, version: rule.rule.version, sources: rule.sources as Record<string, Digest> },
    config,
    partition: action.partition?.partition ?? null,
    deps,
    srcs,
    platform: session.platform,
  };
}

export function actionKeyOf(record: KeyRecord): ActionKey {
  return digestBytes(canonicalJson(record)) as string as ActionKey;
}

/** A 32-bit seed from the key: the same for the same inputs, different when any input differs. */
export function seedOf(key: ActionKey): number {
  return Number.parseInt(key.slice(0, 8), 16);
}

/**
 * A target's outputs as its dependents see them. A partitioned target's file names are
 * prefixed by the partition path, and its digest is over the per-partition digests.
 */
export function combineTargetOutputs(
  target: TargetPlan,
  outputsOf: (action: ActionPlan) => { outputs: Record<string, { digest: Digest }>; outputsDigest: Digest },
): TargetOutputs {
  if (!target.partitions) {
    const only = outputsOf(target.actions[0]!);
    const files: Record<string, Digest> = {};
    for (const [name, entry] of Object.entries(only.outputs)) files[name] = entry.digest;
    return { files, outputsDigest: only.outputsDigest };
  }
  const files: Record<string, Digest> = {};
  const perPartition: Record<string, Digest> = {};
  for (const action of target.actions) {
    const o = outputsOf(action);
    const path = action.partition!.path;
    perPartition[path] = o.outputsDigest;
    for (const [name, entry] of Object.entries(o.outputs)) files[`${path}/${name}`] = entry.digest;
  }
  return { files, outputsDigest: digestBytes(canonicalJson(perPartition)) };
}
