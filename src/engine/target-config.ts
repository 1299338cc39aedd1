import { join } from 'node:path';
import { ConfigError } from './errors.js';
import type { TargetSpec } from './pipeline.js';
import type { Rule } from './rule-api.js';
import { formatKeyPath, YamlSource } from './yaml-source.js';

/**
 * Reads a target's config file and validates it with its rule's zod schema. The result has
 * the schema's defaults filled in: that, not the file's text, is what goes into the key.
 */
export function loadTargetConfig(root: string, spec: TargetSpec, rule: Rule<unknown>): unknown {
  const source = spec.config ? YamlSource.read(join(root, spec.config), spec.config) : undefined;
  const raw = source ? source.toJS() : {};
  const parsed = rule.config.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const where = source ? `${source.locate(issue.path)}: ` : '';
    const unknown = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    return `${where}target '${spec.name}': key '${formatKeyPath(issue.path)}': ${issue.message}${unknown}`;
  });
  const file = spec.config ?? `(no config file; rule '${rule.name}' needs one: add 'config: configs/...yaml' to //${spec.name})`;
  throw new ConfigError(`invalid config ${file} for rule '${rule.name}':\n  ${problems.join('\n  ')}`);
}
