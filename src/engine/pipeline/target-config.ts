import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { TargetSpec } from './pipeline.js';
import type { Rule } from '../rule-api.js';
import { readConfig, type ResolvedConfig } from './config-extends.js';
import { formatKeyPath } from './yaml-source.js';
import { applyOverrides } from './matrix.js';

/** A target's config as validated, and the files it came from (the config and what it extends). */
export interface TargetConfig {
  readonly value: unknown;
  readonly source: ResolvedConfig | undefined;
}

/**
 * Reads a target's config file (with what it `extends`) and validates it with its rule's zod
 * schema. The result has the schema's defaults filled in: that, not the files' text, is what
 * goes into the key.
 */
export function readTargetConfig(root: string, spec: TargetSpec, rule: Rule<unknown>): TargetConfig {
  const source = spec.config ? readConfig(root, spec.config) : undefined;
  const overrides = spec.matrix?.overrides ?? [];
  const value = overrides.length > 0 ? applyOverrides(source?.value ?? {}, overrides) : source ? source.value : {};
  const parsed = rule.config.safeParse(value);
  if (parsed.success) return { value: parsed.data, source };
  // An issue under a value the matrix set is the matrix's: point at it in the pipeline, naming the point.
  const locator: KeyLocator | undefined =
    overrides.length === 0
      ? source
      : {
          locate: (path) => overrideAt(path)?.at ?? source?.locate(path) ?? 'quanto.pipeline.yaml',
          locateKey: (path) => overrideAt(path)?.at ?? source?.locateKey(path) ?? 'quanto.pipeline.yaml',
        };
  function overrideAt(path: ReadonlyArray<PropertyKey>) {
    return overrides.find((o) => o.path.every((k, i) => String(path[i]) === k));
  }
  const problems = describeIssues(locator, parsed.error.issues, `target '${spec.name}': `);
  const file =
    spec.config ?? `(no config file; rule '${rule.name}' needs one: add 'config: configs/...yaml' to //${spec.name})`;
  throw new ConfigError(`invalid config ${file} for rule '${rule.name}':\n  ${problems.join('\n  ')}`);
}

/** The validated config alone (see readTargetConfig). */
export function loadTargetConfig(root: string, spec: TargetSpec, rule: Rule<unknown>): unknown {
  return readTargetConfig(root, spec, rule).value;
}

/** What can say where a key path was written: a YAML file, or a config with what it extends. */
export interface KeyLocator {
  locate(path: ReadonlyArray<PropertyKey>): string;
  locateKey(path: ReadonlyArray<PropertyKey>): string;
}

/** Each zod issue as `file:line:col: <subject>key 'a.b': message (unknown keys)`, pointing at the value in the YAML. */
export function describeIssues(
  source: KeyLocator | undefined,
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
