import { z } from 'zod';
import type { TargetName } from './label.js';
import { formatPointValue, POINT_VALUE } from './matrix-point.js';

/**
 * `matrix:` in the pipeline: config values a target is built over, one target per point, as
 * in GitHub Actions. Axes are crossed unless `zip:` groups some of them to advance together:
 *
 *   matrix:
 *     seed: [1, 2, 3]                                  # the config key `seed`
 *     lr: {path: ppo.learning_rate, values: [1e-4, 3e-4]}
 *     fast: {path: strategy.fast, range: {from: 10, to: 50, step: 10}}
 *     zip: [[fast, slow]]                              # fast and slow advance together
 */
const matrixScalar = z.union([z.string(), z.number(), z.boolean()]);
const axisSchema = z.union([
  z.array(matrixScalar),
  z
    .object({
      path: z.string().optional().describe('the config key the axis sets, dotted (default: the axis name)'),
      values: z.array(matrixScalar),
    })
    .strict(),
  z
    .object({
      path: z.string().optional().describe('the config key the axis sets, dotted (default: the axis name)'),
      range: z
        .object({ from: z.number(), to: z.number(), step: z.number().positive() })
        .strict()
        .describe('from, from + step, ... up to and including to'),
    })
    .strict(),
]);
export const matrixSchema = z
  .object({ zip: z.array(z.array(z.string()).min(2)).optional().describe('groups of axes that advance together') })
  .catchall(axisSchema);
export type MatrixSpec = z.infer<typeof matrixSchema>;

export type MatrixScalar = z.infer<typeof matrixScalar>;

/** One config value a point sets, and where the pipeline wrote it (for errors about it). */
export interface MatrixOverride {
  readonly path: readonly string[];
  readonly value: MatrixScalar;
  readonly at: string;
}

export interface MatrixPointSpec {
  readonly name: TargetName;
  /** Axis → the value as the point's name spells it. */
  readonly point: Readonly<Record<string, string>>;
  readonly overrides: readonly MatrixOverride[];
}

interface Axis {
  name: string;
  path: string[];
  values: MatrixScalar[];
  at: (i: number) => string;
}

const AXIS_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PATH_SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Far more points than any grid of separate targets should hold: a sweep target serves larger grids. */
const MAX_POINTS = 100_000;

/**
 * The points of a target's matrix, in the order written (the first axis slowest), or the
 * problems that make it unusable: zero points, duplicate points, zip groups of unequal length.
 * `locate` says where a key path under the target's `matrix:` was written.
 */
export function expandMatrix(
  base: TargetName,
  spec: MatrixSpec,
  locate: (path: PropertyKey[]) => string,
): { points: MatrixPointSpec[]; problems: string[] } {
  const problems: string[] = [];
  const subject = `target '${base}': key 'matrix`;
  const axes: Axis[] = [];
  for (const [name, raw] of Object.entries(spec)) {
    if (name === 'zip') continue;
    const axis = raw as z.infer<typeof axisSchema>;
    if (!AXIS_NAME.test(name)) {
      problems.push(`${locate([name])}: ${subject}.${name}': an axis name is letters, digits and '_'`);
      continue;
    }
    const path = (Array.isArray(axis) || axis.path === undefined ? name : axis.path).split('.');
    if (!path.every((s) => PATH_SEGMENT.test(s))) {
      problems.push(
        `${locate([name, 'path'])}: ${subject}.${name}.path': '${path.join('.')}' is not a dotted config key`,
      );
      continue;
    }
    const values = Array.isArray(axis) ? axis : 'values' in axis ? axis.values : rangeValues(axis.range);
    const valueAt = Array.isArray(axis)
      ? (i: number) => locate([name, i])
      : 'values' in axis
        ? (i: number) => locate([name, 'values', i])
        : () => locate([name, 'range']);
    if (values.length === 0) {
      problems.push(
        `${locate([name])}: ${subject}.${name}': the axis has no values, so the matrix has no points; give it at least one`,
      );
      continue;
    }
    values.forEach((v, i) => {
      if (!POINT_VALUE.test(formatPointValue(v)))
        problems.push(
          `${valueAt(i)}: ${subject}.${name}': value '${String(v)}' cannot name a point: use letters, digits and _ . : + -`,
        );
    });
    axes.push({ name, path, values, at: valueAt });
  }
  if (axes.length === 0 && problems.length === 0)
    problems.push(`${locate([])}: ${subject}': declares no axes, so the matrix has no points`);

  // Factors of the cartesian product: each zip group is one, each other axis its own.
  const groupOf = new Map<string, number>();
  (spec.zip ?? []).forEach((group, g) => {
    for (const [j, name] of group.entries()) {
      if (!axes.some((a) => a.name === name))
        problems.push(`${locate(['zip', g, j])}: ${subject}.zip[${g}]': '${name}' is not an axis of this matrix`);
      else if (groupOf.has(name))
        problems.push(`${locate(['zip', g, j])}: ${subject}.zip[${g}]': axis '${name}' is zipped twice`);
      else groupOf.set(name, g);
    }
    const lengths = group.flatMap((n) => axes.find((a) => a.name === n)?.values.length ?? []);
    if (new Set(lengths).size > 1)
      problems.push(
        `${locate(['zip', g])}: ${subject}.zip[${g}]': zipped axes must have as many values each (${group.map((n, j) => `${n}: ${lengths[j]}`).join(', ')})`,
      );
  });
  if (problems.length > 0) return { points: [], problems };

  const factors: Axis[][] = [];
  const factorOfGroup = new Map<number, Axis[]>();
  for (const axis of axes) {
    const g = groupOf.get(axis.name);
    if (g === undefined) factors.push([axis]);
    else if (factorOfGroup.has(g)) factorOfGroup.get(g)!.push(axis);
    else {
      const factor = [axis];
      factorOfGroup.set(g, factor);
      factors.push(factor);
    }
  }
  const count = factors.reduce((n, f) => n * f[0]!.values.length, 1);
  if (count > MAX_POINTS)
    return {
      points: [],
      problems: [
        `${locate([])}: ${subject}': ${count} points is more than ${MAX_POINTS} targets; sweep a grid that large in one sweep target`,
      ],
    };

  let rows: number[][] = [[]]; // per point, the value index of each factor
  for (const factor of factors) rows = rows.flatMap((r) => factor[0]!.values.map((_, i) => [...r, i]));
  const points: MatrixPointSpec[] = [];
  const seen = new Map<string, number>();
  for (const row of rows) {
    const pick = new Map<Axis, number>();
    factors.forEach((f, k) => f.forEach((axis) => pick.set(axis, row[k]!)));
    const point: Record<string, string> = {};
    const overrides: MatrixOverride[] = [];
    for (const axis of axes) {
      const i = pick.get(axis)!;
      point[axis.name] = formatPointValue(axis.values[i]!);
      overrides.push({ path: axis.path, value: axis.values[i]!, at: axis.at(i) });
    }
    const suffix = Object.entries(point)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const name = `${base}@${suffix}` as TargetName;
    if (seen.has(suffix)) {
      problems.push(`${overrides[0]!.at}: ${subject}': point @${suffix} is listed twice; each point must differ`);
      continue;
    }
    seen.set(suffix, points.length);
    points.push({ name, point, overrides });
  }
  const paths = axes.map((a) => a.path.join('.'));
  const overlaps = (p: string, q: string) => p === q || p.startsWith(`${q}.`) || q.startsWith(`${p}.`);
  paths.forEach((p, j) => {
    const i = paths.findIndex((q, k) => k < j && overlaps(p, q));
    if (i >= 0)
      problems.push(
        `${locate([axes[j]!.name])}: ${subject}.${axes[j]!.name}': sets '${p}', which axis '${axes[i]!.name}' sets too`,
      );
  });
  return problems.length > 0 ? { points: [], problems } : { points, problems };
}

/** from, from + step, ..., ≤ to; each value rounded to 12 significant digits so 0.1 + 0.2 is 0.3. */
function rangeValues(range: { from: number; to: number; step: number }): number[] {
  const n = Math.floor((range.to - range.from) / range.step + 1e-9) + 1;
  return Array.from({ length: Math.max(0, n) }, (_, i) => Number((range.from + i * range.step).toPrecision(12)));
}

/** A copy of a config with each point's values set at their paths (objects on the way created as needed). */
export function applyOverrides(config: unknown, overrides: readonly MatrixOverride[]): unknown {
  const root: Record<string, unknown> = isObject(config) ? structuredClone(config) : {};
  for (const { path, value } of overrides) {
    let node = root;
    for (const key of path.slice(0, -1)) {
      if (!isObject(node[key])) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path.at(-1)!] = value;
  }
  return root;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
