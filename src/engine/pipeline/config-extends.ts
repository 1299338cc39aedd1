import { dirname, join, normalize, relative } from 'node:path';
import { ConfigError } from '../errors.js';
import { digestBytes, type Digest } from '../keys/digest.js';
import { YamlSource } from './yaml-source.js';

/**
 * A config file with the files it extends applied. `extends: base.yaml` (or a list, applied in
 * order) names YAML files relative to the extending file; their keys are the defaults, this
 * file's keys win. Maps merge key by key, at every depth; a list or a scalar is replaced whole
 * (a list of slices or gates is one value: merging lists item by item would make up configs
 * nobody wrote). The merged value, not any file's text, is what the rule validates and the key holds.
 */
export interface ResolvedConfig {
  readonly value: unknown;
  /** Every file read, the config first, then what it extends (depth first, in order), workspace-relative. */
  readonly files: readonly string[];
  /** The config's own bytes' digest: the files it extends are a function of them. */
  readonly digest: Digest;
  /** file:line:col of the value at a key path, in the file that wrote it (the config itself, else the nearest base). */
  locate(path: ReadonlyArray<PropertyKey>): string;
  /** Like locate, of the key rather than the value. */
  locateKey(path: ReadonlyArray<PropertyKey>): string;
  /** The key path and file of the first scalar equal to `value`, for errors about a label the config names. */
  find(value: string): { source: YamlSource; path: (string | number)[] } | undefined;
}

export function readConfig(root: string, displayPath: string): ResolvedConfig {
  const sources: YamlSource[] = [];
  let digest: Digest | undefined;
  const load = (display: string, chain: readonly string[]): unknown => {
    if (chain.includes(display))
      throw new ConfigError(`${display}: extends itself through ${[...chain, display].join(' -> ')}`);
    const source = YamlSource.read(join(root, display), display);
    digest ??= digestBytes(source.text);
    sources.push(source);
    const raw = source.toJS();
    if (!isPlainObject(raw) || !('extends' in raw)) return raw;
    const { extends: bases, ...own } = raw;
    const list = typeof bases === 'string' ? [bases] : bases;
    if (!Array.isArray(list) || list.length === 0 || !list.every((b) => typeof b === 'string' && b.length > 0))
      throw new ConfigError(
        `${source.locate(['extends'])}: key 'extends': expected a YAML file (or a list of them) relative to ${display}`,
      );
    let merged: unknown = {};
    for (const [i, base] of (list as string[]).entries()) {
      const baseDisplay = normalize(relative(root, join(root, dirname(display), base)));
      if (baseDisplay.startsWith('..'))
        throw new ConfigError(`${source.locate(['extends', i])}: '${base}' is outside the workspace`);
      const path = typeof bases === 'string' ? ['extends'] : ['extends', i];
      let baseValue: unknown;
      try {
        baseValue = load(baseDisplay, [...chain, display]);
      } catch (err) {
        if (err instanceof ConfigError && err.message.startsWith(`${baseDisplay}: file not found`))
          throw new ConfigError(`${source.locate(path)}: key 'extends': ${baseDisplay} does not exist`);
        throw err;
      }
      merged = mergeConfig(merged, baseValue);
    }
    return mergeConfig(merged, own);
  };
  const value = load(displayPath, []);
  const nearest = (path: ReadonlyArray<PropertyKey>) => sources.find((s) => s.has(path)) ?? sources[0]!;
  return {
    value,
    files: [...new Set(sources.map((s) => s.file))],
    digest: digest!,
    locate: (path) => nearest(path).locate(path),
    locateKey: (path) => nearest(path).locateKey(path),
    find: (label) => {
      for (const source of sources) {
        const path = source.pathOf(label);
        if (path) return { source, path };
      }
      return undefined;
    },
  };
}

/** `over` on top of `base`: maps merged key by key, anything else replaced. */
export function mergeConfig(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeConfig(base[k], v) : v;
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
