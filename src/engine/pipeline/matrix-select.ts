import type { TargetName } from './label.js';
import { matrixPointOf, parseAssignments, sameValue } from './matrix-point.js';

/**
 * The points of a matrix that `@axis=value,...` selects: every point whose values match those
 * given (numbers as numbers, so @lr=0.0003 finds @lr=3e-4; the order of the axes does not
 * matter; axes left out match any value, so @seed=2 of a seed × lr matrix is that seed's row).
 * A string when nothing matches, saying what there is.
 */
export function selectPoints(
  base: TargetName,
  points: readonly TargetName[],
  assignments: string,
): TargetName[] | string {
  const wanted = parseAssignments(assignments);
  const axes = Object.keys(matrixPointOf(points[0]!)?.point ?? {});
  const unknown = wanted.filter(([axis]) => !axes.includes(axis)).map(([axis]) => axis);
  if (unknown.length > 0)
    return `//${base} has no matrix axis '${unknown.join("', '")}' (its axes: ${axes.join(', ')})`;
  const chosen = points.filter((name) => {
    const point = matrixPointOf(name)!.point;
    return wanted.every(([axis, value]) => sameValue(value, point[axis]!));
  });
  if (chosen.length > 0) return chosen;
  const some = points.slice(0, 5).map((p) => `@${p.slice(base.length + 1)}`);
  return `//${base} has no matrix point @${assignments} (it has ${points.length}: ${some.join(', ')}${points.length > 5 ? ', ...' : ''})`;
}
