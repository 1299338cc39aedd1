import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { labelOf, parseLabelPattern, type TargetName } from '../pipeline/label.js';
import { expandPartitions, type PartitionInstance } from '../pipeline/partitions.js';
import { missingFilesOf, type TargetSpec } from '../pipeline/pipeline.js';
import type { ResolvedRule } from './rule-registry.js';
import type { ResolvedPlugin } from './plugin-registry.js';
import { planPlugins } from './plan-plugins.js';
import type { Session } from '../session.js';
import { expandSrcs } from '../pipeline/src-globs.js';

export interface TargetPlan {
  readonly name: TargetName;
  readonly spec: TargetSpec;
  readonly rule: ResolvedRule;
  /** The validated config, with each plugin's settings as its own schema parsed them: what the key holds. */
  readonly config: unknown;
  /** The plugin modules the config names (strategies), bundled: their sources are in the key. */
  readonly plugins: readonly ResolvedPlugin[];
  readonly partitions: PartitionInstance[] | null;
  /** The actions of this target the build needs: all of them, or the partitions asked for by label. */
  readonly actions: ActionPlan[];
}

export interface ActionPlan {
  readonly target: TargetPlan;
  readonly label: string;
  readonly partition: PartitionInstance | null;
}

export interface BuildPlan {
  /** Every target of the build, trusted or planned, in topological order. */
  readonly order: TargetName[];
  /** The targets planned (not taken as they are from the last build), in topological order. */
  readonly targets: TargetPlan[];
  readonly byName: ReadonlyMap<TargetName, TargetPlan>;
}

/**
 * Resolves label patterns to the targets and actions to build: loads each needed rule,
 * validates each config, expands partitions. All config errors surface here, before anything runs.
 */
export async function planBuild(
  session: Session,
  patterns: readonly string[],
  trusted: ReadonlySet<TargetName> = new Set(),
): Promise<BuildPlan> {
  const parsed = patterns.map(parseLabelPattern).flatMap((p) => session.graph.resolve(p));
  const roots = session.graph.select(parsed);
  const wholeTargets = new Set<TargetName>();
  const partitionRequests = new Map<TargetName, Set<string>>();
  for (const p of parsed) {
    if (p.kind === 'partition') {
      const set = partitionRequests.get(p.name) ?? new Set<string>();
      set.add(p.partition);
      partitionRequests.set(p.name, set);
    }
  }
  // A target asked for only by partition labels builds only those partitions, unless a
  // whole-target pattern also selects it or another requested target depends on it.
  const wholeRoots = new Set(session.graph.select(parsed.filter((p) => p.kind !== 'partition')));
  const rootSet = new Set(roots);
  const closure = session.graph.closure(roots);
  const neededByOthers = new Set(closure.flatMap((n) => session.graph.depsOf(n)));
  for (const name of closure) {
    if (!rootSet.has(name) || wholeRoots.has(name) || !partitionRequests.has(name) || neededByOthers.has(name))
      wholeTargets.add(name);
  }

  const planned = closure.filter((n) => !trusted.has(n));
  const missing = planned.flatMap((n) => missingFilesOf(session.workspace.root, session.graph.spec(n)));
  if (missing.length > 0) throw new ConfigError(`invalid pipeline:\n  ${missing.join('\n  ')}`);
  const rules = new Map<string, ResolvedRule>();
  await Promise.all(
    [...new Set(planned.map((n) => session.graph.spec(n).rule))].map(async (r) =>
      rules.set(r, await session.rules.resolve(r)),
    ),
  );

  // Imported here, not at the top: YAML is not needed by a build answered by the fast path.
  const [{ readTargetConfig }, { undeclaredConfigInputs }] = await Promise.all([
    import('../pipeline/target-config.js'),
    import('../pipeline/config-inputs.js'),
  ]);
  const targets: TargetPlan[] = [];
  const miswired: string[] = [];
  const byName = new Map<TargetName, TargetPlan>();
  for (const name of planned) {
    const spec = session.graph.spec(name);
    const rule = rules.get(spec.rule)!;
    const read = readTargetConfig(session.workspace.root, spec, rule.rule);
    const source = read.source;
    const { config, plugins } = await planPlugins(session.plugins, spec, rule.rule, read.value, source);
    miswired.push(...undeclaredConfigInputs(spec, rule.rule, config, source));
    // What the config extends and the plugins it names, for the next build's fast path and for watch (see up-to-date.ts).
    if (source)
      session.state.setConfigFiles(
        source.files[0]!,
        source.digest,
        source.files.slice(1),
        plugins.map((p) => p.file),
      );
    const partitions = expandPartitions(spec, rule.rule, config);
    const actions: ActionPlan[] = [];
    const plan: TargetPlan = { name, spec, rule, config, plugins, partitions, actions };
    if (!partitions) {
      if (partitionRequests.has(name))
        throw new ConfigError(
          `//${name} is not partitioned, so ${labelOf(name, [...partitionRequests.get(name)!][0])} names nothing`,
        );
      actions.push({ target: plan, label: labelOf(name), partition: null });
    } else {
      const wanted = wholeTargets.has(name) ? undefined : partitionRequests.get(name);
      for (const want of wanted ?? []) {
        if (!partitions.some((p) => p.path === want)) {
          throw new ConfigError(
            `//${name} has no partition ${want} (it has ${partitions.length}: ${partitions
              .slice(0, 5)
              .map((p) => p.path)
              .join(', ')}${partitions.length > 5 ? ', ...' : ''})`,
          );
        }
      }
      for (const p of partitions)
        if (!wanted || wanted.has(p.path)) actions.push({ target: plan, label: labelOf(name, p.path), partition: p });
    }
    targets.push(plan);
    byName.set(name, plan);
  }
  if (miswired.length > 0)
    throw new ConfigError(`configs read targets they do not depend on:\n  ${miswired.join('\n  ')}`);
  return { order: closure, targets, byName };
}

/** Absolute paths of a target's declared source files. */
export function srcPaths(root: string, spec: TargetSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const src of expandSrcs(root, spec.srcs)) out[src] = join(root, src);
  return out;
}
