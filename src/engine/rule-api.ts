/**
 * The contract between the engine and a rule. Rule files (rules/<kind>.ts) default-export
 * a `Rule`; `defineRule` only helps the type checker. This module imports nothing at run
 * time so that a rule importing it does not pull the engine into the rule's source digest.
 */
import type { ZodType } from 'zod';

export type Partition = Readonly<Record<string, string>>;

export interface RuleLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** One declared input as a rule sees it: read-only files, addressed by output name. */
export interface InputArtifact {
  readonly label: string;
  /** Output name (a relative POSIX path) → absolute path of an immutable file. */
  readonly files: Readonly<Record<string, string>>;
  /** Digest of the whole output set; stable when the bytes are. */
  readonly outputsDigest: string;
  /** A directory laid out by output name (hard links), made on first call. */
  dir(): string;
}

export interface RuleContext<C> {
  readonly label: string;
  readonly config: C;
  /** Derived from the action key: deterministic, and different whenever anything in the key is. */
  readonly seed: number;
  readonly partition: Partition | null;
  /**
   * For a point of a matrix target (`//experiments/core_v1_ppo@seed=2`): the matrix's label, of
   * which every point is a trial (the default holdout family), and the point's values as its
   * label spells them. Null for a target that is no matrix point.
   */
  readonly matrix: { readonly target: string; readonly point: Readonly<Record<string, string>> } | null;
  /** Dependency label (//name) → its outputs. */
  readonly inputs: Readonly<Record<string, InputArtifact>>;
  /** Declared source files: workspace-relative path → absolute path. */
  readonly srcs: Readonly<Record<string, string>>;
  /** The only place the rule may write. Every regular file left here is an output. */
  readonly outDir: string;
  readonly log: RuleLogger;
  progress(done: number, total?: number, unit?: string): void;
  /**
   * The plugin modules `Rule.plugins` named for this config, by the module path the rule gave
   * (strategies/sma_crossover) → the module's default export, loaded in this thread.
   */
  readonly plugins: Readonly<Record<string, unknown>>;
  /**
   * Each plugin's identity: a digest over its sources as the key holds them (module → digest).
   * A rule records it in its outputs when what it built must be traceable to the exact code
   * (a backtest says which strategy code a promotion covers).
   */
  readonly pluginDigests: Readonly<Record<string, string>>;
  /** How many actions the engine may run at once: rules sharing an outside budget (a vendor's rate limit) divide it by this. */
  readonly parallelism: number;
}

export interface RuleResult {
  /** Row counts of tabular outputs, by output name; they go into the manifest. */
  rows?: Record<string, number>;
  /** For external rules: what was fetched (URLs without secrets, response digests). */
  fetched?: unknown;
  /** Data checks and their counts (rows rejected, gaps): kept in the manifest beside the outputs. */
  validation?: unknown;
  /**
   * The role of each column of the tabular outputs ('key', 'feature', 'label', ...). The engine
   * keeps them in the manifest and checks what consumers declare against them.
   */
  columns?: Record<string, string>;
  /**
   * Set when this action read an out-of-sample reserve (a final evaluation): the engine appends
   * it to the holdout ledger when the action is built, so every look at the reserve is counted.
   */
  holdout?: { family: string; record?: Record<string, string | number | null> };
}

/**
 * A workspace module a config names (a strategy): the engine bundles it as it bundles a rule,
 * puts its sources into the key (so editing it rebuilds exactly the targets whose configs name
 * it), and hands the rule its default export in `ctx.plugins`.
 */
export interface PluginUse {
  /** Workspace-relative module path, with or without its extension: strategies/sma_crossover. */
  readonly module: string;
  /** The config key that named it (['strategy', 'kind']): errors about the module point there. */
  readonly namedAt: readonly (string | number)[];
  /**
   * Where in the config the plugin's own settings are (['strategy']). When the module's default
   * export has a zod `config`, the engine validates that block with it at planning (errors at
   * the config's file:line) and keys the parsed block, defaults filled in.
   */
  readonly settingsAt?: readonly (string | number)[];
  /** Keys of that block that belong to the rule, not the plugin (the `kind` that named it). */
  readonly settingsExcept?: readonly string[];
}

/** A column use a rule declares: these columns of this dependency, used in this role. */
export interface ColumnUse {
  from: string;
  columns: readonly string[];
  as: string;
}

export interface Rule<C = unknown> {
  readonly name: string;
  /** Bump to invalidate every cached output of this rule without editing its source. */
  readonly version: number;
  readonly description?: string;
  readonly config: ZodType<C>;
  /** Names (files or directory prefixes) that `run` must produce in outDir. */
  readonly outputs: readonly string[];
  /**
   * The targets this config reads (`from: //canonical/x`, a nested block's `from:`), as labels.
   * Planning checks every one is among the target's `deps` before anything runs, and points
   * at the config line that names it; `ctx.inputs` holds exactly the deps.
   */
  inputs?(config: C): readonly (string | undefined)[];
  /** The plugin modules this config names (see PluginUse); none when absent. */
  plugins?(config: C): readonly PluginUse[];
  /** Fan-out derived from config; the pipeline's `partitions:` takes precedence. */
  partitions?(config: C): Partition[];
  /** Marks a rule that reads the network or the clock (ingestion, paper trading). */
  readonly external?: boolean;
  /**
   * For external rules whose source changes over time (a shard touching today): a token the
   * engine computes from the clock and puts in the key, so the action runs again when it
   * changes; undefined for a partition that is final (a closed period).
   */
  freshness?(config: C, partition: Partition | null, nowMs: number): string | undefined;
  /**
   * Facts about the machine that change this rule's output bits (which numeric backend it
   * will run on), evaluated by the engine when it computes the key: two machines that would
   * compute different bits get different keys, so a shared cache never mixes their outputs.
   */
  keyFacts?(config: C): Record<string, string>;
  /**
   * Which dependency columns the action uses, and as what. The engine refuses to run an action
   * that uses a column whose producer marked it 'label' as anything but a label: a forward-looking
   * value used as a feature is leakage, and it is stopped before any training or backtest runs.
   */
  consumes?(config: C): ColumnUse[];
  run(ctx: RuleContext<C>): RuleResult | void | Promise<RuleResult | void>;
}

export function defineRule<C>(rule: Rule<C>): Rule<C> {
  return rule;
}
