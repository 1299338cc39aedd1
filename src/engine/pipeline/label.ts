import { ConfigError } from '../errors.js';
import { isPointAssignments } from './matrix-point.js';

/**
 * Labels name targets: `//features/core_v1`. Patterns select several: `//...` (all),
 * `//features/...` (a subtree). One partition of a target is `//raw/equity_ohlcv@symbol=AAPL/year=2020`:
 * the partition path is Hive-style, as it is on disk. One point of a matrix target is
 * `//experiments/core_v1_ppo@seed=2,lr=3e-4` (its name), and `//experiments/core_v1_ppo@...` or the
 * bare `//experiments/core_v1_ppo` names all its points.
 */
export type TargetName = string & { readonly __brand: 'TargetName' };

export type LabelPattern =
  | { kind: 'all' }
  | { kind: 'subtree'; prefix: string }
  | { kind: 'target'; name: TargetName }
  | { kind: 'partition'; name: TargetName; partition: string }
  /** `name@a=1,b=2`: a matrix point (a single `name@a=1` parses as a partition until the pipeline says which). */
  | { kind: 'point'; name: TargetName; assignments: string }
  /** `name@...`: every point of a matrix. */
  | { kind: 'matrix'; name: TargetName };

const SEGMENT = '[A-Za-z0-9_][A-Za-z0-9_.-]*';
const TARGET_NAME = new RegExp(`^${SEGMENT}(/${SEGMENT})*$`);
const PARTITION_PATH = new RegExp(`^${SEGMENT}=[^/=@]+(/${SEGMENT}=[^/=@]+)*$`);

export function isTargetName(name: string): name is TargetName {
  return TARGET_NAME.test(name) && !name.split('/').includes('...');
}

/** A target name, or a matrix point's (`base@axis=value,...`). */
export function isTargetOrPointName(name: string): name is TargetName {
  const at = name.indexOf('@');
  return at < 0 ? isTargetName(name) : isTargetName(name.slice(0, at)) && isPointAssignments(name.slice(at + 1));
}

export function labelOf(name: string, partition?: string | null): string {
  return partition ? `//${name}@${partition}` : `//${name}`;
}

export function parseLabelPattern(text: string): LabelPattern {
  if (!text.startsWith('//')) {
    throw new ConfigError(
      `'${text}' is not a label: labels start with // (for example //features/core_v1, //features/..., //...)`,
    );
  }
  const body = text.slice(2);
  if (body === '...') return { kind: 'all' };
  if (body.endsWith('/...')) {
    const prefix = body.slice(0, -4);
    if (!isTargetName(prefix))
      throw new ConfigError(`'${text}' is not a valid pattern: '${prefix}' is not a target path`);
    return { kind: 'subtree', prefix };
  }
  const at = body.indexOf('@');
  if (at >= 0) {
    const name = body.slice(0, at);
    const partition = body.slice(at + 1);
    if (!isTargetName(name)) throw new ConfigError(`'${text}' is not a valid label: '${name}' is not a target name`);
    if (partition === '...') return { kind: 'matrix', name };
    if (PARTITION_PATH.test(partition)) return { kind: 'partition', name, partition };
    if (isPointAssignments(partition)) return { kind: 'point', name, assignments: partition };
    throw new ConfigError(
      `'${text}' has a malformed '@${partition}': a partition is dim=value/dim=value (@symbol=AAPL/year=2020), a matrix point axis=value,axis=value (@seed=2,lr=3e-4), and @... names all points`,
    );
  }
  if (!isTargetName(body)) {
    throw new ConfigError(
      `'${text}' is not a valid label: target names are path segments of letters, digits, '_', '.' and '-'`,
    );
  }
  return { kind: 'target', name: body };
}

/** Parses a dependency reference as written in the pipeline: a plain `//name` or a matrix point's (no patterns). */
export function parseDepLabel(text: string): TargetName | undefined {
  if (!text.startsWith('//')) return undefined;
  const body = text.slice(2);
  return isTargetOrPointName(body) ? body : undefined;
}

export function matchesPattern(pattern: LabelPattern, name: string): boolean {
  switch (pattern.kind) {
    case 'all':
      return true;
    case 'subtree':
      return name === pattern.prefix || name.startsWith(`${pattern.prefix}/`);
    case 'target':
    case 'partition':
      return name === pattern.name;
    case 'point':
      return name === `${pattern.name}@${pattern.assignments}`;
    case 'matrix':
      return name.startsWith(`${pattern.name}@`);
  }
}
