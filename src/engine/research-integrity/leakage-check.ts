import type { ColumnUse } from '../rule-api.js';
import type { TargetName } from '../pipeline/label.js';

/**
 * The engine's leakage guard: a column its producer declared a 'label' (it looks into the
 * future) may only be consumed as a label. Checked for every action before its key is even
 * computed, so a leaky training or backtest never runs. `rolesOf` gives a dependency's declared
 * column roles (undefined when it declared none, which leaves nothing to check).
 */
export function leakageProblem(
  action: { label: string; deps: readonly TargetName[]; uses: readonly ColumnUse[] },
  rolesOf: (dep: TargetName) => Record<string, string> | undefined,
): string | undefined {
  for (const use of action.uses) {
    const dep = use.from.replace(/^\/\//, '') as TargetName;
    if (!action.deps.includes(dep)) return `${action.label} uses columns of ${use.from}, which is not among its deps`;
    const roles = rolesOf(dep);
    if (!roles) continue;
    const unknown = use.columns.filter((c) => !(c in roles));
    if (unknown.length > 0)
      return `${action.label} uses column(s) ${unknown.join(', ')} of ${use.from}, which has no such column (it has ${Object.keys(roles).join(', ')})`;
    const leaked = use.columns.filter((c) => roles[c] === 'label' && use.as !== 'label');
    if (leaked.length > 0)
      return `leakage: ${action.label} would use the label column(s) ${leaked.join(', ')} of ${use.from} as ${use.as}s; labels look into the future and may only be used as labels`;
  }
  return undefined;
}
