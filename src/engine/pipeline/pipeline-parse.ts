import { z } from 'zod';
import type { Digest } from '../keys/digest.js';
import { ConfigError } from '../errors.js';
import { isTargetName, parseDepLabel, type TargetName } from './label.js';
import { RESOURCE_CLASSES, type Pipeline, type TargetSpec } from './pipeline.js';
import { formatKeyPath, type YamlSource } from './yaml-source.js';
import { srcGlobProblem } from './src-globs.js';
import { remoteCacheSpecSchema } from '../store/remote/remote-cache-config.js';
import { expandMatrix, matrixSchema, type MatrixPointSpec } from './matrix.js';
import { selectPoints } from './matrix-select.js';

const partitionValue = z.union([z.string(), z.number()]).transform(String);

const targetSchema = z
  .object({
    rule: z.string().regex(/^[a-z][a-z0-9_]*$/, 'a rule name is lower_snake_case, the base name of a file in rules/'),
    config: z.string().optional().describe('a YAML file under configs/'),
    deps: z.array(z.string()).default([]),
    srcs: z.array(z.string()).default([]).describe('workspace files the rule reads'),
    partitions: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.array(partitionValue).min(1)).optional(),
    /** Config values to build the target over: one target per point, `//name@axis=value,...` (see matrix.ts). */
    matrix: matrixSchema.optional(),
    tags: z.array(z.string()).default([]),
    /** Which distributed workers may take its actions (quanto worker --resources); not in any key. */
    resource_class: z.enum(RESOURCE_CLASSES).default('cpu'),
    description: z.string().optional(),
  })
  .strict();

/** quanto.pipeline.yaml (also published as a JSON Schema, see `quanto schemas`). */
export const pipelineSchema = z
  .object({
    version: z.literal(1).default(1),
    /** A shared cache on S3-compatible storage (see src/engine/store/remote/). */
    remote_cache: remoteCacheSpecSchema.optional(),
    targets: z.record(z.string(), targetSchema),
  })
  .strict();

export function parsePipeline(root: string, source: YamlSource, digest: Digest): Pipeline {
  const parsed = pipelineSchema.safeParse(source.toJS());
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const where =
        issue.code === 'unrecognized_keys'
          ? source.locateKey([...issue.path, issue.keys[0]!])
          : source.locate(issue.path);
      const target = issue.path[0] === 'targets' && issue.path.length > 1 ? `target '${String(issue.path[1])}': ` : '';
      const keyPath = issue.path[0] === 'targets' ? issue.path.slice(2) : issue.path;
      const key =
        issue.code === 'unrecognized_keys'
          ? `unknown key '${issue.keys.join("', '")}'`
          : `key '${formatKeyPath(keyPath)}'`;
      return `${where}: ${target}${key}: ${issue.message}`;
    });
    throw new ConfigError(`invalid pipeline:\n  ${problems.join('\n  ')}`);
  }

  const problems: string[] = [];
  const names = Object.keys(parsed.data.targets);
  // A matrix target is its points: expanded first, so any target's deps can name them.
  const pointsOf = new Map<string, MatrixPointSpec[]>();
  for (const [name, raw] of Object.entries(parsed.data.targets)) {
    if (!raw.matrix || !isTargetName(name)) continue;
    if (raw.partitions) {
      problems.push(
        `${source.locateKey(['targets', name, 'matrix'])}: target '${name}': a target cannot declare both matrix: and partitions:`,
      );
      continue;
    }
    const expanded = expandMatrix(name, raw.matrix, (path) => source.locate(['targets', name, 'matrix', ...path]));
    problems.push(...expanded.problems);
    pointsOf.set(name, expanded.points);
  }
  const known = new Set(names.filter((n) => !pointsOf.has(n)));
  const pointNames = (base: string) => pointsOf.get(base)!.map((p) => p.name);
  const targets = new Map<TargetName, TargetSpec>();
  for (const [name, raw] of Object.entries(parsed.data.targets)) {
    const at = (key: PropertyKey[]) => source.locate(['targets', name, ...key]);
    if (!isTargetName(name)) {
      problems.push(
        `${source.locateKey(['targets', name])}: target '${name}': a target name is '/'-separated segments of letters, digits, '_', '.' and '-' (no leading //)`,
      );
      continue;
    }
    const deps: TargetName[] = [];
    raw.deps.forEach((dep, i) => {
      const where = `${at(['deps', i])}: target '${name}': key 'deps[${i}]'`;
      const resolved = resolveDep(dep, known, pointsOf, pointNames);
      if (typeof resolved === 'string') {
        problems.push(`${where}: ${resolved}${resolved.startsWith('unknown') ? suggest(dep.slice(2), names) : ''}`);
        return;
      }
      for (const depName of resolved) {
        if (deps.includes(depName)) problems.push(`${where}: //${depName} is listed twice`);
        else deps.push(depName);
      }
    });
    const srcLocations: Record<string, string> = {};
    raw.srcs.forEach((src, i) => {
      if (src.startsWith('/') || src.split('/').includes('..')) {
        problems.push(
          `${at(['srcs', i])}: target '${name}': key 'srcs[${i}]': '${src}' must be a path inside the workspace`,
        );
      } else if (srcGlobProblem(src)) {
        problems.push(`${at(['srcs', i])}: target '${name}': key 'srcs[${i}]': ${srcGlobProblem(src)}`);
      }
      srcLocations[src] = `${at(['srcs', i])}: target '${name}': key 'srcs[${i}]'`;
    });
    const spec: TargetSpec = {
      name,
      rule: raw.rule,
      config: raw.config,
      deps,
      srcs: [...raw.srcs].sort(),
      partitions: raw.partitions,
      tags: raw.tags,
      resourceClass: raw.resource_class,
      description: raw.description,
      locations: {
        ...(raw.config !== undefined ? { config: `${at(['config'])}: target '${name}': key 'config'` } : {}),
        srcs: srcLocations,
      },
    };
    const points = pointsOf.get(name);
    if (!points) targets.set(name, spec);
    for (const point of points ?? [])
      targets.set(point.name, {
        ...spec,
        name: point.name,
        deps: deps.filter((d) => !d.startsWith(`${name}@`)), // a point never depends on its own matrix
        matrix: { target: name, point: point.point, overrides: point.overrides },
      });
    if (points)
      for (const d of deps)
        if (d.startsWith(`${name}@`))
          problems.push(`${at(['deps'])}: target '${name}': a matrix cannot depend on its own points (//${d})`);
  }
  // In sorted order, the names a target is a directory prefix of follow it directly,
  // among the few other names that merely start with the same characters.
  const sorted = [...targets.keys()].sort();
  for (let i = 0; i < sorted.length; i++) {
    const name = sorted[i]!;
    let nested: string | undefined;
    for (let j = i + 1; j < sorted.length && sorted[j]!.startsWith(name) && !nested; j++) {
      if (sorted[j]!.startsWith(`${name}/`)) nested = sorted[j];
    }
    if (nested) {
      problems.push(
        `${source.locateKey(['targets', name])}: target '${name}': its output directory would contain target '${nested}'; rename one of them`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid pipeline:\n  ${problems.join('\n  ')}`);
  return {
    root,
    digest,
    source,
    targets,
    ...(parsed.data.remote_cache ? { remoteCache: parsed.data.remote_cache } : {}),
  };
}

/** A dep as written: a target, a matrix (all its points), `//m@...`, or `//m@axis=value,...` (the points it selects). */
function resolveDep(
  dep: string,
  known: ReadonlySet<string>,
  pointsOf: ReadonlyMap<string, unknown>,
  pointNames: (base: string) => TargetName[],
): TargetName[] | string {
  if (!dep.startsWith('//'))
    return /^[A-Za-z_][A-Za-z0-9_]*=/.test(dep)
      ? `'${dep}' is not a label: a label with ',' in a [flow, list] must be quoted ('//name@a=1,b=2'), or the list written one item per line`
      : `'${dep}' is not a label; write //name`;
  const body = dep.slice(2);
  const at = body.indexOf('@');
  const base = at < 0 ? body : body.slice(0, at);
  const rest = at < 0 ? null : body.slice(at + 1);
  if (!isTargetName(base)) return `'${dep}' is not a label; write //name`;
  if (pointsOf.has(base)) {
    if (rest === null || rest === '...') return pointNames(base);
    if (!parseDepLabel(dep)) return `'${dep}' is not a matrix point: write //${base}@axis=value,axis=value`;
    return selectPoints(base as TargetName, pointNames(base), rest);
  }
  if (rest !== null) {
    if (known.has(base)) return `//${base} has no matrix, so ${dep} names nothing (depend on //${base})`;
    return `unknown dependency ${dep}`;
  }
  return known.has(base) ? [base] : `unknown dependency ${dep}`;
}

function suggest(name: string, candidates: string[]): string {
  const close = candidates.filter((c) => editDistance(c, name) <= Math.max(2, Math.floor(name.length / 4)));
  return close.length > 0 ? ` (did you mean //${close[0]}?)` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
