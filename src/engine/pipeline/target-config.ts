import { join } from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { TargetSpec } from './pipeline.js';
import type { Rule } from '../rule-api.js';
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
  const problems = describeIssues(source, parsed.error.issues, `target '${spec.name}': `);
  const file =
    spec.config ?? `(no config file; rule '${rule.name}' needs one: add 'config: configs/...yaml' to //${spec.name})`;
  throw new ConfigError(`invalid config ${file} for rule '${rule.name}':\n  ${problems.join('\n  ')}`);
}

/** Each zod issue as `file:line:col: <subject>key 'a.b': message (unknown keys)`, pointing at the value in the YAML. */
export function describeIssues(
  source: YamlSource | undefined,
  issues: readonly z.core.$ZodIssue[],
  subject = '',
): string[] {
  return issues.map((issue) => {
    const where = source
      ? `${issue.code === 'unrecognized_keys' ? source.locateKey([...issue.path, issue.keys[0]!]) : source.locate(issue.path)}: `
      : '';
    const unknown = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    return `${where}${subject}key '${formatKeyPath(issue.path)}': ${issue.message}${unknown}`;
  });
}
