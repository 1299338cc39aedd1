import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-write.js';
import { digestBytes } from './digest.js';
import { ConfigError } from './errors.js';
import { isTargetName, parseDepLabel, type TargetName } from './label.js';
import { formatKeyPath, YamlSource } from './yaml-source.js';

export const PIPELINE_FILE = 'quanto.pipeline.yaml';

const partitionValue = z.union([z.string(), z.number()]).transform(String);

const targetSchema = z
  .object({
    rule: z.string().regex(/^[a-z][a-z0-9_]*$/, 'a rule name is lower_snake_case, the base name of a file in rules/'),
    config: z.string().optional().describe('a YAML file under configs/'),
    deps: z.array(z.string()).default([]),
    srcs: z.array(z.string()).default([]).describe('workspace files the rule reads'),
    partitions: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.array(partitionValue).min(1)).optional(),
    tags: z.array(z.string()).default([]),
    description: z.string().optional(),
  })
  .strict();

const pipelineSchema = z
  .object({
    version: z.literal(1).default(1),
    targets: z.record(z.string(), targetSchema),
  })
  .strict();

export interface TargetSpec {
  readonly name: TargetName;
  readonly rule: string;
  readonly config: string | undefined;
  readonly deps: readonly TargetName[];
  readonly srcs: readonly string[];
  readonly partitions: Readonly<Record<string, readonly string[]>> | undefined;
  /** `manual` keeps a target out of wildcard patterns, as in Bazel. */
  readonly tags: readonly string[];
  readonly description: string | undefined;
}

export interface Pipeline {
  readonly root: string;
  /** The parsed YAML, for error locations; parsed on first use when the pipeline came from the cache. */
  readonly source: YamlSource;
  readonly targets: ReadonlyMap<TargetName, TargetSpec>;
}

// Bump when TargetSpec or validation changes, so an older cached parse is never used.
const PIPELINE_CACHE_FORMAT = 1;

/**
 * Reads and validates quanto.pipeline.yaml. Every problem found is reported at once, each
 * with file:line:col. A validated parse is cached by the file's digest (YAML parsing is the
 * slowest part of a no-op build of a large pipeline); files it names are re-checked each time.
 */
export function loadPipeline(root: string, stateDir?: string): Pipeline {
  const path = join(root, PIPELINE_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`${PIPELINE_FILE}: file not found in ${root}`);
  }
  const cacheFile = stateDir ? join(stateDir, 'pipeline.json') : undefined;
  const digest = digestBytes(text);
  if (cacheFile) {
    const cached = readCachedPipeline(cacheFile, digest);
    if (cached && cached.every((t) => (!t.config || existsSync(join(root, t.config))) && t.srcs.every((s) => existsSync(join(root, s))))) {
      return lazyPipeline(root, text, new Map(cached.map((t) => [t.name, t])));
    }
  }
  const pipeline = parsePipeline(root, YamlSource.parse(text, PIPELINE_FILE));
  if (cacheFile) {
    try {
      writeFileAtomic(cacheFile, JSON.stringify({ format: PIPELINE_CACHE_FORMAT, digest, targets: [...pipeline.targets.values()] }));
    } catch {
      // A read-only cache only costs speed.
    }
  }
  return pipeline;
}

function readCachedPipeline(file: string, digest: string): TargetSpec[] | undefined {
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { format: number; digest: string; targets: TargetSpec[] };
    return cached.format === PIPELINE_CACHE_FORMAT && cached.digest === digest ? cached.targets : undefined;
  } catch {
    return undefined;
  }
}

function lazyPipeline(root: string, text: string, targets: Map<TargetName, TargetSpec>): Pipeline {
  let source: YamlSource | undefined;
  return {
    root,
    targets,
    get source() {
      source ??= YamlSource.parse(text, PIPELINE_FILE);
      return source;
    },
  };
}

export function parsePipeline(root: string, source: YamlSource): Pipeline {
  const parsed = pipelineSchema.safeParse(source.toJS());
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const where = issue.code === 'unrecognized_keys' ? source.locateKey([...issue.path, issue.keys[0]!]) : source.locate(issue.path);
      const target = issue.path[0] === 'targets' && issue.path.length > 1 ? `target '${String(issue.path[1])}': ` : '';
      const keyPath = issue.path[0] === 'targets' ? issue.path.slice(2) : issue.path;
      const key = issue.code === 'unrecognized_keys' ? `unknown key '${issue.keys.join("', '")}'` : `key '${formatKeyPath(keyPath)}'`;
      return `${where}: ${target}${key}: ${issue.message}`;
    });
    throw new ConfigError(`invalid pipeline:\n  ${problems.join('\n  ')}`);
  }

  const problems: string[] = [];
  const names = Object.keys(parsed.data.targets);
  const known = new Set(names);
  const targets = new Map<TargetName, TargetSpec>();
  for (const [name, raw] of Object.entries(parsed.data.targets)) {
    const at = (key: PropertyKey[]) => source.locate(['targets', name, ...key]);
    if (!isTargetName(name)) {
      problems.push(`${source.locateKey(['targets', name])}: target '${name}': a target name is '/'-separated segments of letters, digits, '_', '.' and '-' (no leading //)`);
      continue;
    }
    const deps: TargetName[] = [];
    raw.deps.forEach((dep, i) => {
      const depName = parseDepLabel(dep);
      if (!depName) problems.push(`${at(['deps', i])}: target '${name}': key 'deps[${i}]': '${dep}' is not a label; write //name`);
      else if (!known.has(depName)) {
        problems.push(`${at(['deps', i])}: target '${name}': key 'deps[${i}]': unknown dependency ${dep}${suggest(depName, names)}`);
      } else if (deps.includes(depName)) problems.push(`${at(['deps', i])}: target '${name}': key 'deps[${i}]': ${dep} is listed twice`);
      else deps.push(depName);
    });
    raw.srcs.forEach((src, i) => {
      if (src.startsWith('/') || src.split('/').includes('..')) {
        problems.push(`${at(['srcs', i])}: target '${name}': key 'srcs[${i}]': '${src}' must be a path inside the workspace`);
      } else if (!existsSync(join(root, src))) problems.push(`${at(['srcs', i])}: target '${name}': key 'srcs[${i}]': file '${src}' does not exist`);
    });
    if (raw.config !== undefined && !existsSync(join(root, raw.config))) {
      problems.push(`${at(['config'])}: target '${name}': key 'config': file '${raw.config}' does not exist`);
    }
    targets.set(name, {
      name,
      rule: raw.rule,
      config: raw.config,
      deps,
      srcs: [...raw.srcs].sort(),
      partitions: raw.partitions,
      tags: raw.tags,
      description: raw.description,
    });
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
      problems.push(`${source.locateKey(['targets', name])}: target '${name}': its output directory would contain target '${nested}'; rename one of them`);
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid pipeline:\n  ${problems.join('\n  ')}`);
  return { root, source, targets };
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
