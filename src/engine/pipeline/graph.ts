import { ConfigError } from '../errors.js';
import { didYouMean } from './did-you-mean.js';
import { matchesPattern, parseLabelPattern, type LabelPattern, type TargetName } from './label.js';
import type { Pipeline, TargetSpec } from './pipeline.js';
import { selectPoints } from './matrix-select.js';

/** The target DAG: dependency edges, a topological order, and the queries the CLI offers. */
export class TargetGraph {
  /** Every target, dependencies before dependents; ties broken by name so the order is stable. */
  readonly order: readonly TargetName[];
  private readonly dependents = new Map<TargetName, TargetName[]>();
  /** Matrix name → its points, in the order the matrix wrote them. */
  private readonly matrices = new Map<TargetName, TargetName[]>();

  constructor(readonly pipeline: Pipeline) {
    for (const name of pipeline.targets.keys()) this.dependents.set(name, []);
    for (const spec of pipeline.targets.values()) {
      if (!spec.matrix) continue;
      const points = this.matrices.get(spec.matrix.target);
      if (points) points.push(spec.name);
      else this.matrices.set(spec.matrix.target, [spec.name]);
    }
    for (const spec of pipeline.targets.values())
      for (const dep of spec.deps) this.dependents.get(dep)!.push(spec.name);
    for (const list of this.dependents.values()) list.sort();
    this.order = pipeline.order ?? topologicalOrder(pipeline);
  }

  spec(name: TargetName): TargetSpec {
    const spec = this.pipeline.targets.get(name);
    if (!spec) {
      const points = this.matrices.get(name);
      if (points)
        throw new ConfigError(
          `//${name} is a matrix of ${points.length} points: name one (//${points[0]}) or all of them (//${name}@...)`,
        );
      throw new ConfigError(
        `no target named //${name} in quanto.pipeline.yaml${didYouMean(name, this.pipeline.targets.keys())} (see 'quanto ls')`,
      );
    }
    return spec;
  }

  /** The points of a matrix target, or undefined for a name that is no matrix. */
  pointsOf(name: TargetName): readonly TargetName[] | undefined {
    return this.matrices.get(name);
  }

  /**
   * A pattern with matrices resolved: a matrix's name or `@...` becomes its points, `@axis=value`
   * the points it selects (a single assignment parses as a partition until the pipeline says it
   * names a matrix). Other patterns are returned as they are.
   */
  resolve(pattern: LabelPattern): LabelPattern[] {
    const points = 'name' in pattern ? this.matrices.get(pattern.name) : undefined;
    const each = (names: readonly TargetName[]): LabelPattern[] => names.map((name) => ({ kind: 'target', name }));
    switch (pattern.kind) {
      case 'target':
        return points ? each(points) : [pattern];
      case 'matrix':
        if (!points)
          throw new ConfigError(
            `//${pattern.name}@... names the points of a matrix, and //${pattern.name} has no matrix: block`,
          );
        return each(points);
      case 'partition':
      case 'point': {
        if (!points) {
          if (pattern.kind === 'partition') return [pattern];
          this.spec(pattern.name);
          throw new ConfigError(
            `//${pattern.name} has no matrix, so //${pattern.name}@${pattern.assignments} names nothing`,
          );
        }
        const chosen = selectPoints(
          pattern.name,
          points,
          pattern.kind === 'point' ? pattern.assignments : pattern.partition,
        );
        if (typeof chosen === 'string') throw new ConfigError(chosen);
        return each(chosen);
      }
      default:
        return [pattern];
    }
  }

  depsOf(name: TargetName): readonly TargetName[] {
    return this.spec(name).deps;
  }

  dependentsOf(name: TargetName): readonly TargetName[] {
    return this.dependents.get(name) ?? [];
  }

  /** The one target (or partition) a label names, for commands about one target; `command` names the command in errors. */
  resolveOne(labelText: string, command: string): Extract<LabelPattern, { kind: 'target' | 'partition' }> {
    const resolved = this.resolve(parseLabelPattern(labelText));
    const one = resolved[0];
    if (one && resolved.length === 1 && (one.kind === 'all' || one.kind === 'subtree'))
      throw new ConfigError(`${command} takes one target label, not the pattern ${labelText}`);
    if (resolved.length !== 1 || !one || (one.kind !== 'target' && one.kind !== 'partition'))
      throw new ConfigError(
        `${command} takes one target label, and ${labelText} names ${resolved.length} matrix points: name one (//${resolved[0] && 'name' in resolved[0] ? resolved[0].name : ''})`,
      );
    return one;
  }

  /**
   * The targets a list of patterns selects. Wildcards skip targets tagged `manual`
   * (real-vendor and live-account targets), which must be asked for by name.
   */
  select(patterns: readonly (string | LabelPattern)[]): TargetName[] {
    const chosen = new Set<TargetName>();
    for (const pattern of patterns.flatMap((p) => this.resolve(typeof p === 'string' ? parseLabelPattern(p) : p))) {
      if (pattern.kind === 'target' || pattern.kind === 'partition') {
        this.spec(pattern.name);
        chosen.add(pattern.name);
        continue;
      }
      let any = false;
      for (const [name, spec] of this.pipeline.targets) {
        if (matchesPattern(pattern, name)) {
          any = true;
          if (!spec.tags.includes('manual')) chosen.add(name);
        }
      }
      if (!any && pattern.kind === 'subtree')
        throw new ConfigError(`//${pattern.prefix}/... matches no target (see 'quanto ls')`);
    }
    return this.order.filter((n) => chosen.has(n));
  }

  /** The roots and everything they depend on, in topological order. */
  closure(roots: readonly TargetName[]): TargetName[] {
    const seen = new Set<TargetName>();
    const visit = (name: TargetName): void => {
      if (seen.has(name)) return;
      seen.add(name);
      for (const dep of this.depsOf(name)) visit(dep);
    };
    roots.forEach(visit);
    return this.order.filter((n) => seen.has(n));
  }

  /** The targets and everything that depends on them, in topological order. */
  reverseClosure(roots: readonly TargetName[]): TargetName[] {
    const seen = new Set<TargetName>();
    const stack = [...roots];
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      stack.push(...this.dependentsOf(name));
    }
    return this.order.filter((n) => seen.has(n));
  }

  /** One dependency path from `from` down to `to`, or undefined when `from` does not depend on `to`. */
  somePath(from: TargetName, to: TargetName): TargetName[] | undefined {
    const parent = new Map<TargetName, TargetName | null>([[from, null]]);
    const queue = [from];
    while (queue.length > 0) {
      const name = queue.shift()!;
      if (name === to) {
        const path: TargetName[] = [];
        for (let n: TargetName | null = name; n !== null; n = parent.get(n)!) path.unshift(n);
        return path;
      }
      for (const dep of this.depsOf(name)) {
        if (!parent.has(dep)) {
          parent.set(dep, name);
          queue.push(dep);
        }
      }
    }
    return undefined;
  }
}

/** Kahn's algorithm with a sorted ready set; on a cycle, reports one whole cycle with where each edge was written. */
function topologicalOrder(pipeline: Pipeline): TargetName[] {
  const indegree = new Map<TargetName, number>();
  const dependents = new Map<TargetName, TargetName[]>();
  for (const spec of pipeline.targets.values()) {
    indegree.set(spec.name, spec.deps.length);
    for (const dep of spec.deps) {
      const list = dependents.get(dep);
      if (list) list.push(spec.name);
      else dependents.set(dep, [spec.name]);
    }
  }
  const ready = [...indegree]
    .filter(([, d]) => d === 0)
    .map(([n]) => n)
    .sort();
  const order: TargetName[] = [];
  // `ready` is consumed in sorted batches: cheaper than a heap and still deterministic.
  while (ready.length > 0) {
    const batch = ready.splice(0, ready.length);
    for (const name of batch) {
      order.push(name);
      for (const next of dependents.get(name) ?? []) {
        const d = indegree.get(next)! - 1;
        indegree.set(next, d);
        if (d === 0) ready.push(next);
      }
    }
    ready.sort();
  }
  if (order.length < pipeline.targets.size)
    throw cycleError(pipeline, new Set([...indegree].filter(([, d]) => d > 0).map(([n]) => n)));
  return order;
}

function cycleError(pipeline: Pipeline, stuck: Set<TargetName>): ConfigError {
  // Every stuck target has a stuck dependency; walking them must come back to a target already seen.
  let current = [...stuck].sort()[0]!;
  const seenAt = new Map<TargetName, number>();
  const walk: TargetName[] = [];
  while (!seenAt.has(current)) {
    seenAt.set(current, walk.length);
    walk.push(current);
    current = pipeline.targets.get(current)!.deps.find((d) => stuck.has(d))!;
  }
  const cycle = [...walk.slice(seenAt.get(current)!), current];
  const edges = cycle.slice(0, -1).map((name, i) => {
    const dep = cycle[i + 1]!;
    const index = pipeline.targets.get(name)!.deps.indexOf(dep);
    return `  ${pipeline.source.locate(['targets', name, 'deps', index])}: //${name} depends on //${dep}`;
  });
  return new ConfigError(
    `dependency cycle: ${cycle.map((n) => `//${n}`).join(' -> ')}\n${edges.join('\n')}\nRemove one of these dependencies.`,
  );
}
