import { ConfigError } from '../errors.js';
import type { TargetSpec } from './pipeline.js';
import type { Partition, Rule } from '../rule-api.js';

export interface PartitionInstance {
  readonly partition: Partition;
  /** Hive-style path, `symbol=AAPL/year=2020`: the partition's id in labels and on disk. */
  readonly path: string;
}

const SAFE_VALUE = /^[A-Za-z0-9_.:+-]+$/;

/**
 * The fan-out of a target: the pipeline's `partitions:` (the cartesian product of its
 * dimensions, in the order written) or else the rule's partitions(config); null when the
 * target is not partitioned. Sorted by path, so the set is the same however it was listed.
 */
export function expandPartitions(spec: TargetSpec, rule: Rule<unknown>, config: unknown): PartitionInstance[] | null {
  let partitions: Partition[];
  if (spec.partitions) {
    partitions = [{}];
    for (const [dim, values] of Object.entries(spec.partitions)) {
      partitions = partitions.flatMap((p) => values.map((v) => ({ ...p, [dim]: v })));
    }
  } else if (rule.partitions) {
    partitions = rule.partitions(config);
  } else {
    return null;
  }
  const seen = new Set<string>();
  const instances = partitions.map((partition) => {
    for (const [dim, value] of Object.entries(partition)) {
      if (!SAFE_VALUE.test(value)) {
        throw new ConfigError(
          `target '${spec.name}': partition value ${dim}='${value}' may hold only letters, digits and _ . : + -`,
        );
      }
    }
    const path = Object.entries(partition)
      .map(([d, v]) => `${d}=${v}`)
      .join('/');
    if (seen.has(path)) throw new ConfigError(`target '${spec.name}': partition ${path} is listed twice`);
    seen.add(path);
    return { partition, path };
  });
  if (instances.length === 0) throw new ConfigError(`target '${spec.name}': its partition list is empty`);
  return instances.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
