import type { ZodType } from 'zod';
import { ConfigError } from '../errors.js';
import type { ResolvedConfig } from '../pipeline/config-extends.js';
import type { TargetSpec } from '../pipeline/pipeline.js';
import { describeIssues } from '../pipeline/target-config.js';
import { formatKeyPath } from '../pipeline/yaml-source.js';
import type { PluginUse, Rule } from '../rule-api.js';
import type { PluginRegistry, ResolvedPlugin } from './plugin-registry.js';

/**
 * The plugin modules a target's config names, bundled and loaded, and the config with each
 * plugin's settings validated by the plugin's own schema (defaults filled in: that is what
 * the key holds). Every problem is a config error at the line of the config that caused it.
 */
export async function planPlugins(
  registry: PluginRegistry,
  spec: TargetSpec,
  rule: Rule<unknown>,
  config: unknown,
  source: ResolvedConfig | undefined,
): Promise<{ config: unknown; plugins: ResolvedPlugin[] }> {
  const uses = rule.plugins?.(config) ?? [];
  const plugins: ResolvedPlugin[] = [];
  let keyed = config;
  const where = (path: readonly (string | number)[]) => (source ? `${source.locate(path)}: ` : '');
  for (const use of uses) {
    let plugin: ResolvedPlugin;
    try {
      plugin = await registry.resolve(use.module);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      throw new ConfigError(
        `${where(use.namedAt)}target '${spec.name}': key '${formatKeyPath(use.namedAt)}': ${err.message}`,
      );
    }
    plugins.push(plugin);
    if (use.settingsAt) keyed = withSettings(keyed, use, plugin, spec, source);
  }
  return { config: keyed, plugins };
}

/** The config with the plugin's settings block replaced by the block as its schema parses it. */
function withSettings(
  config: unknown,
  use: PluginUse,
  plugin: ResolvedPlugin,
  spec: TargetSpec,
  source: ResolvedConfig | undefined,
): unknown {
  const schema = (plugin.value as { config?: ZodType }).config;
  if (!schema || typeof schema.safeParse !== 'function') return config;
  const at = use.settingsAt!;
  const block = valueAt(config, at);
  if (typeof block !== 'object' || block === null || Array.isArray(block))
    throw new ConfigError(
      `${source ? `${source.locate(at)}: ` : ''}target '${spec.name}': key '${formatKeyPath(at)}': the settings of ${plugin.file} must be a map`,
    );
  const except = new Set(use.settingsExcept ?? []);
  const own = Object.fromEntries(Object.entries(block).filter(([k]) => !except.has(k)));
  const parsed = schema.safeParse(own);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ ...i, path: [...at, ...i.path] }));
    const problems = describeIssues(source, issues, `target '${spec.name}': `);
    throw new ConfigError(
      `invalid settings for ${plugin.file} in ${spec.config ?? `//${spec.name}`}:\n  ${problems.join('\n  ')}`,
    );
  }
  // A schema that strips what it does not know would drop a misspelt setting without a word.
  const dropped = Object.keys(own).filter((k) => !Object.hasOwn(parsed.data as object, k));
  if (dropped.length > 0)
    throw new ConfigError(
      `${source ? `${source.locate([...at, dropped[0]!])}: ` : ''}target '${spec.name}': ${plugin.file} has no setting ${dropped.map((k) => `'${k}'`).join(', ')} (remove it, or declare it in the module's config schema)`,
    );
  const kept = Object.fromEntries(Object.entries(block).filter(([k]) => except.has(k)));
  return withValueAt(config, at, { ...kept, ...(parsed.data as object) });
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let v = value;
  for (const k of path) v = (v as Record<string | number, unknown> | undefined)?.[k];
  return v;
}

/** A copy of `value` with the value at `path` replaced (the containers along it copied, nothing else). */
function withValueAt(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const container = value as Record<string | number, unknown>;
  const copy: Record<string | number, unknown> | unknown[] = Array.isArray(container)
    ? [...(container as unknown[])]
    : { ...container };
  (copy as Record<string | number, unknown>)[head!] = withValueAt(container[head!], rest, replacement);
  return copy;
}
