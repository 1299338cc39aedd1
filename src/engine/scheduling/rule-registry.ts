import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Digest } from '../keys/digest.js';
import { ConfigError, QuantoError } from '../errors.js';
import { quantoPackageRoot } from '../package-root.js';
import type { Rule } from '../rule-api.js';
import type { Workspace } from '../workspace.js';
import { importRuleBundle } from './load-bundle.js';
import { MODULE_EXTENSIONS, type ModuleBundler } from './module-bundler.js';

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

/**
 * Finds rules (rules/<name>.ts in the workspace, then Quanto's built-ins) and bundles each
 * (see ModuleBundler): the bundle's list of inputs is the rule's source digest.
 */
export class RuleRegistry {
  private readonly resolved = new Map<string, Promise<ResolvedRule>>();

  constructor(
    private readonly workspace: Workspace,
    private readonly bundler: ModuleBundler,
  ) {}

  /** Every rule name that resolves, workspace rules first. */
  available(): string[] {
    const names = new Set<string>();
    for (const dir of this.searchDirs()) {
      if (!existsSync(dir)) continue;
      for (const file of readdirSync(dir)) {
        const ext = MODULE_EXTENSIONS.find((e) => file.endsWith(e));
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
    const sources = this.bundler.currentSources(name, entry);
    return sources ? { entry: this.bundler.displayPath(entry), sources } : undefined;
  }

  private searchDirs(): string[] {
    return [join(this.workspace.root, 'rules'), join(quantoPackageRoot(), ...BUILTIN_DIR)];
  }

  private findEntry(name: string): string {
    for (const dir of this.searchDirs()) {
      for (const ext of MODULE_EXTENSIONS) {
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
    const { sources, bundlePath } = await this.bundler.bundle(name, entry, `rule '${name}'`);
    let module: { default?: unknown };
    try {
      module = await importRuleBundle(bundlePath);
    } catch (err) {
      throw new QuantoError(
        `rule '${name}' (${this.bundler.displayPath(entry)}) failed to load: ${(err as Error).message}`,
      );
    }
    const rule = checkRuleShape(module.default, name, this.bundler.displayPath(entry));
    return { name, entry, sources, bundlePath, rule };
  }
}

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
