import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { builtinModules } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { writeFileAtomic } from '../store/atomic-write.js';
import { canonicalJson } from '../keys/canonical-json.js';
import { digestBytes, type Digest } from '../keys/digest.js';
import { ConfigError, QuantoError } from '../errors.js';
import { quantoPackageRoot } from '../package-root.js';
import type { StatCache } from '../keys/stat-cache.js';
import type { Workspace } from '../workspace.js';

/** The file extensions a rule or plugin module may have. */
export const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

/** A workspace module bundled into one file, and the digests of the repo files it was built from. */
export interface BundledModule {
  /** Workspace-relative path (or quanto:<path> for Quanto's own files) → digest: what goes into keys. */
  readonly sources: Readonly<Record<string, Digest>>;
  /** An ES module with every repo import inlined and every package import left external. */
  readonly bundlePath: string;
}

/** What the last bundling of a module read: absolute path → digest. */
interface BundleIndexEntry {
  entry: string;
  inputs: Record<string, Digest>;
}

/**
 * Bundles modules of the workspace (rules, and the plugins their configs name) with esbuild,
 * and derives each one's source digest from the bundle's own list of inputs. Using the
 * bundler's module resolution means the digest covers exactly what runs: a file the module
 * does not import (or imports only for types) is not in it, and editing one it does import is.
 * An index of what each bundling read lets a later build know the sources without bundling.
 */
export class ModuleBundler {
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

  /**
   * The module's sources as of the last bundling's list of inputs and the stat cache, without
   * bundling anything; undefined when that cannot be known cheaply (never bundled, a file gone).
   */
  currentSources(id: string, entry: string): Record<string, Digest> | undefined {
    const previous = this.index[id];
    if (!previous || previous.entry !== entry) return undefined;
    const current = this.digestAll(Object.keys(previous.inputs));
    return current ? this.displaySources(current) : undefined;
  }

  /**
   * Bundles `entry` (reusing the last bundle while none of its inputs changed). `id` names the
   * module in the index and in the bundle's file name; `what` names it in errors ("rule 'x'").
   */
  async bundle(id: string, entry: string, what: string): Promise<BundledModule> {
    const previous = this.index[id];
    if (previous && previous.entry === entry) {
      const current = this.digestAll(Object.keys(previous.inputs));
      if (current && canonicalJson(current) === canonicalJson(previous.inputs)) {
        const sources = this.displaySources(current);
        const bundlePath = this.bundlePathOf(id, sources);
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
        outfile: join(this.workspace.rulesBundleDir, `${fileNameOf(id)}.mjs`),
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
      throw new ConfigError(`${what} does not compile:\n  ${detail || (err as Error).message}`);
    }
    const inputs = Object.keys(result.metafile.inputs)
      .map((p) => resolve(this.workspace.root, p))
      .sort();
    const digests = this.digestAll(inputs);
    if (!digests) throw new QuantoError(`${what}: a source file vanished while bundling; run the build again`);
    const sources = this.displaySources(digests);
    const bundlePath = this.bundlePathOf(id, sources);
    if (!existsSync(bundlePath)) {
      mkdirSync(this.workspace.rulesBundleDir, { recursive: true });
      writeFileAtomic(bundlePath, result.outputFiles[0]!.contents);
    }
    this.index[id] = { entry, inputs: digests };
    this.indexDirty = true;
    return { sources, bundlePath };
  }

  save(): void {
    if (this.indexDirty) writeFileAtomic(this.indexFile, JSON.stringify(this.index, null, 1));
    this.indexDirty = false;
  }

  /** Workspace-relative, or quanto:<path> for Quanto's own files: never absolute, so keys move with the repo. */
  displayPath(abs: string): string {
    const inWorkspace = relative(this.workspace.root, abs);
    if (!inWorkspace.startsWith('..') && !inWorkspace.startsWith(sep)) return inWorkspace.split(sep).join('/');
    return `quanto:${relative(quantoPackageRoot(), abs).split(sep).join('/')}`;
  }

  /**
   * Package imports are baked in as absolute paths, so the lockfile and where the packages were
   * resolved from are part of a bundle's identity: a workspace moved or copied elsewhere makes
   * bundles of its own, pointing at its own node_modules, instead of reusing ones that point at
   * the old place (gone after a move; after a copy, a second instance of every package). The
   * action keys do not change: they hold the workspace-relative sources only.
   */
  private bundlePathOf(id: string, sources: Record<string, Digest>): string {
    const digest = digestBytes(
      canonicalJson({
        // Bumped when the bundle's form changes (2: inline source maps), so older bundles are not reused.
        format: 2,
        sources,
        lockfile: this.lockfileDigest(),
        resolvedFrom: [this.workspace.root, quantoPackageRoot()],
      }),
    ).slice(0, 32);
    return join(this.workspace.rulesBundleDir, `${fileNameOf(id)}-${digest}.mjs`);
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
}

/** A module id as a file name: a plugin's path (strategies/sma.ts) flattened, a rule's name as it is. */
function fileNameOf(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]+/g, '_');
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
