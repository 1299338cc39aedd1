import { parseDepLabel } from './label.js';
import type { TargetSpec } from './pipeline.js';
import type { Rule } from '../rule-api.js';
import type { ResolvedConfig } from './config-extends.js';
import { formatKeyPath } from './yaml-source.js';

/**
 * The labels a target's config reads (its rule's `inputs`) that are not among its deps, each as a
 * located error: a config wired to a target the pipeline does not give it fails at planning,
 * before any action runs, instead of in the rule halfway through a build.
 */
export function undeclaredConfigInputs(
  spec: TargetSpec,
  rule: Rule<unknown>,
  config: unknown,
  source: ResolvedConfig | undefined,
): string[] {
  if (!rule.inputs) return [];
  const declared = new Set<string>(spec.deps);
  const read = [...new Set(rule.inputs(config).filter((l): l is string => l !== undefined))].sort();
  const missing = read.filter((label) => !declared.has(parseDepLabel(label) ?? label));
  if (missing.length === 0) return [];
  return missing.map((label) => {
    const found = source?.find(label);
    const where = found
      ? `${found.source.locate(found.path)}: key '${formatKeyPath(found.path)}'`
      : `target '${spec.name}'`;
    const name = parseDepLabel(label);
    const fix = name
      ? `add '${label}' to the deps of //${spec.name} in quanto.pipeline.yaml`
      : `a dependency is written //<target>, e.g. //canonical/equity_ohlcv`;
    return `${where}: //${spec.name} reads ${label}, which is not among its deps: ${fix}`;
  });
}
