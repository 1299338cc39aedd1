import { combineTargetOutputs, keyOf, type TargetOutputs } from './action-key.js';
import type { ActionKey, Digest } from './digest.js';
import type { TargetName } from '../pipeline/label.js';
import type { KeyRecord, Manifest } from './manifest.js';
import type { BuildPlan } from '../scheduling/plan.js';
import type { Session } from '../session.js';

/** Marks a dependency whose outputs cannot be known without building it. */
export const UNKNOWN_OUTPUTS = 'unknown: this dependency is out of date and would be rebuilt first' as Digest;

export interface CurrentAction {
  label: string;
  target: TargetName;
  record: KeyRecord;
  key: ActionKey;
  /** The cached manifest for the current key, if the action is up to date. */
  manifest: Manifest | undefined;
  /** False when some dependency is out of date, so this key is provisional. */
  depsKnown: boolean;
}

/**
 * The key every action would have if built now, without building anything: walks the plan
 * in order, taking each dependency's outputs from the cache. Where a dependency is out of
 * date its outputs are unknown, and keys above it are marked provisional.
 */
export function currentKeys(session: Session, plan: BuildPlan): Map<string, CurrentAction> {
  const out = new Map<string, CurrentAction>();
  const targetOutputs = new Map<TargetName, TargetOutputs>();
  const unknown = new Set<TargetName>();
  for (const target of plan.targets) {
    const depsKnown = target.spec.deps.every((d) => !unknown.has(d));
    const known = new Map<string, { outputs: Record<string, { digest: Digest }>; outputsDigest: Digest }>();
    for (const action of target.actions) {
      const { record, key } = keyOf(
        session,
        action,
        (dep) => targetOutputs.get(dep as TargetName) ?? { files: {}, outputsDigest: UNKNOWN_OUTPUTS },
      );
      const manifest = depsKnown ? session.actionCache.get(key) : undefined;
      out.set(action.label, { label: action.label, target: target.name, record, key, manifest, depsKnown });
      if (manifest) known.set(action.label, manifest);
    }
    if (!depsKnown || known.size < target.actions.length) {
      unknown.add(target.name);
      continue;
    }
    targetOutputs.set(
      target.name,
      combineTargetOutputs(target, (a) => known.get(a.label)!),
    );
  }
  return out;
}
