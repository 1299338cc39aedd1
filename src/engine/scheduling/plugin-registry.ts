import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { canonicalJson } from '../keys/canonical-json.js';
import { digestBytes, type Digest } from '../keys/digest.js';
import { ConfigError } from '../errors.js';
import { quantoPackageRoot } from '../package-root.js';
import { importRuleBundle } from './load-bundle.js';
import { MODULE_EXTENSIONS, type ModuleBundler } from './module-bundler.js';

/**
 * A plugin: a workspace module a target's config names (strategies/sma_crossover.ts), bundled
 * as a rule is, so that its source and everything it imports enter the action key.
 */
export interface ResolvedPlugin {
  /** The module as the rule named it (strategies/sma_crossover): the key of ctx.plugins. */
  readonly module: string;
  /** The file it resolved to: workspace-relative (strategies/sma_crossover.ts), or quanto:<path> for one Quanto ships. */
  readonly file: string;
  readonly sources: Readonly<Record<string, Digest>>;
  readonly bundlePath: string;
  /** The module's default export, as loaded in this thread. */
  readonly value: unknown;
}

/** What a task carries of a plugin: its bundle, and the digest of its sources (what a rule may record as the plugin's identity). */
export interface PluginTaskEntry {
  readonly bundlePath: string;
  readonly sourcesDigest: Digest;
}

/** A plugin as an ActionTask carries it; the digest is over the same sources the key holds. */
export function pluginTaskEntry(plugin: Pick<ResolvedPlugin, 'bundlePath' | 'sources'>): PluginTaskEntry {
  return { bundlePath: plugin.bundlePath, sourcesDigest: digestBytes(canonicalJson(plugin.sources)) };
}

/** The index id of a plugin's bundle: apart from rule names, which never hold a '/' or ':'. */
const bundleId = (file: string) => `plugin:${file}`;

/**
 * Resolves and bundles the plugin modules configs name; one bundle per file per session. A
 * module is looked for in the workspace, then among the ones Quanto ships (its own
 * strategies/), so a workspace of its own can use the shipped strategies, or shadow one.
 */
export class PluginRegistry {
  private readonly resolved = new Map<string, Promise<ResolvedPlugin>>();

  constructor(
    private readonly root: string,
    private readonly bundler: ModuleBundler,
  ) {}

  /**
   * The plugin at a workspace-relative module path (with or without its extension). A module
   * that is not there is a config error listing what is there; one that does not compile, too.
   */
  resolve(module: string): Promise<ResolvedPlugin> {
    let pending = this.resolved.get(module);
    if (!pending) {
      pending = this.load(module);
      this.resolved.set(module, pending);
    }
    return pending;
  }

  /** The file a module path resolves to (see ResolvedPlugin.file), or undefined when there is none. */
  fileOf(module: string): string | undefined {
    const normal = posix.normalize(module);
    if (normal.startsWith('../') || posix.isAbsolute(normal)) return undefined;
    const candidates = MODULE_EXTENSIONS.some((e) => normal.endsWith(e))
      ? [normal]
      : MODULE_EXTENSIONS.map((e) => normal + e);
    return (
      candidates.find((c) => existsSync(join(this.root, c))) ??
      candidates.map((c) => `quanto:${c}`).find((c) => existsSync(this.absolute(c)))
    );
  }

  /** Its sources as of its last bundling, without bundling (the no-op fast path, watch). */
  currentSources(file: string): Record<string, Digest> | undefined {
    return this.bundler.currentSources(bundleId(file), this.absolute(file));
  }

  private absolute(file: string): string {
    return file.startsWith('quanto:') ? join(quantoPackageRoot(), file.slice('quanto:'.length)) : join(this.root, file);
  }

  private async load(module: string): Promise<ResolvedPlugin> {
    const file = this.fileOf(module);
    if (!file) throw new ConfigError(this.missing(module));
    const { sources, bundlePath } = await this.bundler.bundle(bundleId(file), this.absolute(file), file);
    let loaded: { default?: unknown };
    try {
      loaded = await importRuleBundle(bundlePath);
    } catch (err) {
      throw new ConfigError(`${file} failed to load: ${(err as Error).message}`);
    }
    if (loaded.default === undefined || loaded.default === null || typeof loaded.default !== 'object')
      throw new ConfigError(`${file} has no default export: a plugin module default-exports its definition`);
    return { module, file, sources, bundlePath, value: loaded.default };
  }

  /** The module names a plugin folder offers, the workspace's and Quanto's own, sorted ('_'-prefixed files are helpers). */
  available(dir: string): string[] {
    const names = new Set<string>();
    for (const abs of [join(this.root, dir), join(quantoPackageRoot(), dir)]) {
      if (!existsSync(abs)) continue;
      for (const f of readdirSync(abs))
        if (MODULE_EXTENSIONS.some((e) => f.endsWith(e)) && !f.endsWith('.d.ts') && !f.startsWith('_'))
          names.add(f.replace(/\.(m?ts|m?js)$/, ''));
    }
    return [...names].sort();
  }

  private missing(module: string): string {
    const dir = dirname(module);
    const there = this.available(dir);
    return `no module ${module}.ts in the workspace or among Quanto's own (${there.length > 0 ? `${dir}/ has: ${there.join(', ')}` : `there is no ${dir}/ folder`})`;
  }
}
