import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { builtinModules } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { writeFileAtomic } from '../store/atomic-write.js';
import { canonicalJson } from '../keys/canonical-json.js';
import { digestBytes, type Digest } from '../keys/digest.js';
import { ConfigError, QuantoError } from '../errors.js';
import { quantoPackageRoot } from '../package-root.js';
import type { Rule } from '../rule-api.js';
import type { StatCache } from '../keys/stat-cache.js';
import type { Workspace } from '../workspace.js';
import { importRuleBundle } from './load-bundle.js';

const RULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];
const BUILTIN_DIR = ['src', 'engine', 'builtin-rules'];

/** A rule resolved to a bundled module and the digests of the repo files it was built from. */
export interface ResolvedRule {
  readonly name: string;
  readonly entry: string;
  /** Workspace-relative path (or quanto:<path> for built-ins) → digest: what goes into keys. */
  readonly sources: Readonly<Record<string, Digest>>;
  /** An ES module with every repo import inlined and every package import left external. */
  readonly bundlePath: string;
  readonly rule: Rule<unknown>;
}

/** What the last bundling of a rule read: absolute path → digest. */
interface BundleIndexEntry {
  entry: string;
  inputs: Record<string, Digest>;
}

/**
 * Finds rules (rules/<name>.ts in the workspace, then Quanto's built-ins), bundles each with
 * esbuild, and derives its source digest from the bundle's own list of inputs. Using the
 * bundler's module resolution means the digest covers exactly what runs: a file the rule does
 * not import (or imports only for types) is not in it, and editing one it does import is.
 */
export class RuleRegistry {
  private readonly resolved = new Map<string, Promise<ResolvedRule>>();
  private index: Record<string, BundleIndexEntry>;
  private readonly indexFile: string;
  private indexDirty = false;

  constructor(
    private readonly workspace: Workspace,
    private readonly stats: StatCache,
  ) {
    this.indexFile = join(workspace.stateDir, 'rule-bundles.json');
    try {
      this.index = JSON.parse(readFileSync(this.indexFile, 'utf8')) as Record<string, BundleIndexEntry>;
    } catch {
      this.index = {};
    }
  }

  /** Every rule name that resolves, workspace rules first. */
  available(): string[] {
    const names = new Set<string>();
    for (const dir of this.searchDirs()) {
      if (!existsSync(dir)) continue;
      for (const file of readdirSync(dir)) {
        const ext = RULE_EXTENSIONS.find((e) => file.endsWith(e));
        if (ext && !file.endsWith('.d.ts') && !file.startsWith('_')) names.add(file.slice(0, -ext.length));
      }
    }
    return [...names].sort();
  }

  resolve(name: string): Promise<ResolvedRule> {
    let pending = this.resolved.get(name);
    if (!pending) {
      pending = this.load(name);
      this.resolved.set(name, pending);
    }
    return pending;
  }

  /**
   * What a rule's key would contain, from the last bundling's list of inputs and the stat
   * cache, without bundling or importing anything; undefined when it cannot be known cheaply.
   */
  currentSources(name: string): { entry: string; sources: Record<string, Digest> } | undefined {
    let entry: string;
    try {
      entry = this.findEntry(name);
    } catch {
      return undefined;
    }
    const previous = this.index[name];
    if (!previous || previous.entry !== entry) return undefined;
    const current = this.digestAll(Object.keys(previous.inputs));
    return current ? { entry: this.displayPath(entry), sources: this.displaySources(current) } : undefined;
  }

  save(): void {
    if (this.indexDirty) writeFileAtomic(this.indexFile, JSON.stringify(this.index, null, 1));
    this.indexDirty = false;
  }

  private searchDirs(): string[] {
    return [join(this.workspace.root, 'rules'), join(quantoPackageRoot(), ...BUILTIN_DIR)];
  }

  private findEntry(name: string): string {
    for (const dir of this.searchDirs()) {
      for (const ext of RULE_EXTENSIONS) {
        const candidate = join(dir, name + ext);
        if (existsSync(candidate)) return candidate;
      }
    }
    const known = this.available();
    throw new ConfigError(
      `unknown rule '${name}': no rules/${name}.ts in the workspace and no built-in rule of that name (known rules: ${known.join(', ') || 'none'})`,
    );
  }

  private async load(name: string): Promise<ResolvedRule> {
    const entry = this.findEntry(name);
    const { sources, bundlePath } = await this.bundle(name, entry);
    let module: { default?: unknown };
    try {
      module = await importRuleBundle(bundlePath);
    } catch (err) {
      throw new QuantoError(`rule '${name}' (${this.displayPath(entry)}) failed to load: ${(err as Error).message}`);
    }
    const rule = checkRuleShape(module.default, name, this.displayPath(entry));
    return { name, entry, sources, bundlePath, rule };
  }

  private async bundle(name: string, entry: string): Promise<{ sources: Record<string, Digest>; bundlePath: string }> {
    const previous = this.index[name];
    if (previous && previous.entry === entry) {
      const current = this.digestAll(Object.keys(previous.inputs));
      if (current && canonicalJson(current) === canonicalJson(previous.inputs)) {
        const sources = this.displaySources(current);
        const bundlePath = this.bundlePathOf(name, sources);
        if (existsSync(bundlePath)) return { sources, bundlePath };
      }
    }
    const { build } = await import('esbuild');
    let result;
    try {
      result = await build({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        plugins: [absolutePackageImports],
        metafile: true,
        // Maps inline, without the sources' text: stack traces name the source files, which are
        // in the workspace. Paths are relative to the bundle's directory (outfile is only that).
        sourcemap: 'inline',
        sourcesContent: false,
        outfile: join(this.workspace.rulesBundleDir, `${name}.mjs`),
        write: false,
        logLevel: 'silent',
        absWorkingDir: this.workspace.root,
      });
    } catch (err) {
      const errors =
        (err as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] }).errors ??
        [];
      const detail = errors
        .map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ${e.text}` : e.text))
        .join('\n  ');
      throw new ConfigError(`rule '${name}' does not compile:\n  ${detail || (err as Error).message}`);
    }
    const inputs = Object.keys(result.metafile.inputs)
      .map((p) => resolve(this.workspace.root, p))
      .sort();
    const digests = this.digestAll(inputs);
    if (!digests) throw new QuantoError(`rule '${name}': a source file vanished while bundling; run the build again`);
    const sources = this.displaySources(digests);
    const bundlePath = this.bundlePathOf(name, sources);
    if (!existsSync(bundlePath)) {
      mkdirSync(this.workspace.rulesBundleDir, { recursive: true });
      writeFileAtomic(bundlePath, result.outputFiles[0]!.contents);
    }
    this.index[name] = { entry, inputs: digests };
    this.indexDirty = true;
    return { sources, bundlePath };
  }

  /**
   * Package imports are baked in as absolute paths, so the lockfile and where the packages were
   * resolved from are part of a bundle's identity: a workspace moved or copied elsewhere makes
   * bundles of its own, pointing at its own node_modules, instead of reusing ones that point at
   * the old place (gone after a move; after a copy, a second instance of every package). The
   * action keys do not change: they hold the workspace-relative sources only.
   */
  private bundlePathOf(name: string, sources: Record<string, Digest>): string {
    const id = digestBytes(
      canonicalJson({
        // Bumped when the bundle's form changes (2: inline source maps), so older bundles are not reused.
        format: 2,
        sources,
        lockfile: this.lockfileDigest(),
        resolvedFrom: [this.workspace.root, quantoPackageRoot()],
      }),
    ).slice(0, 32);
    return join(this.workspace.rulesBundleDir, `${name}-${id}.mjs`);
  }

  private lockfileDigest(): string | null {
    const lock = join(this.workspace.root, 'package-lock.json');
    return existsSync(lock) ? this.stats.digest(lock) : null;
  }

  private digestAll(paths: string[]): Record<string, Digest> | undefined {
    const out: Record<string, Digest> = {};
    for (const p of paths) {
      if (!existsSync(p)) return undefined;
      out[p] = this.stats.digest(p);
    }
    return out;
  }

  private displaySources(digests: Record<string, Digest>): Record<string, Digest> {
    const out: Record<string, Digest> = {};
    for (const [abs, d] of Object.entries(digests)) out[this.displayPath(abs)] = d;
    return out;
  }

  /** Workspace-relative, or quanto:<path> for Quanto's own files: never absolute, so keys move with the repo. */
  displayPath(abs: string): string {
    const inWorkspace = relative(this.workspace.root, abs);
    if (!inWorkspace.startsWith('..') && !inWorkspace.startsWith(sep)) return inWorkspace.split(sep).join('/');
    return `quanto:${relative(quantoPackageRoot(), abs).split(sep).join('/')}`;
  }
}

/**
 * Leaves package imports out of the bundle but rewrites them to the absolute file esbuild
 * resolved (same conditions as Node's ESM loader), so a bundle runs from any cache directory,
 * even one outside the workspace, and shares module instances with the engine.
 */
const absolutePackageImports: Plugin = {
  name: 'quanto-absolute-package-imports',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === INNER_RESOLVE) return undefined;
      if (args.path.startsWith('node:') || builtinModules.includes(args.path.split('/')[0]!))
        return { path: args.path, external: true };
      const r = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: INNER_RESOLVE,
      });
      if (r.errors.length > 0) return { errors: r.errors };
      return { path: pathToFileURL(r.path).href, external: true };
    });
  },
};
const INNER_RESOLVE = Symbol('quanto-inner-resolve');

function checkRuleShape(value: unknown, name: string, where: string): Rule<unknown> {
  const problems: string[] = [];
  const rule = value as Partial<Rule<unknown>> | undefined;
  if (!rule || typeof rule !== 'object') problems.push('it has no default export (export default defineRule({...}))');
  else {
    if (rule.name !== name)
      problems.push(`its name is '${String(rule.name)}' but the file is ${basename(where)}; they must agree`);
    if (!Number.isInteger(rule.version) || (rule.version as number) < 0)
      problems.push('version must be a non-negative integer');
    if (!rule.config || typeof (rule.config as { safeParse?: unknown }).safeParse !== 'function')
      problems.push('config must be a zod schema');
    if (!Array.isArray(rule.outputs)) problems.push('outputs must be a list of output names');
    if (typeof rule.run !== 'function') problems.push('run must be a function');
  }
  if (problems.length > 0) throw new ConfigError(`rule '${name}' (${where}) is malformed: ${problems.join('; ')}`);
  return rule as Rule<unknown>;
}
