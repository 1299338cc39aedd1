import { ActionCache } from './store/action-cache.js';
import { BuildState } from './incremental/build-state.js';
import { ContentStore } from './store/cas.js';
import { TargetGraph } from './pipeline/graph.js';
import type { KeyRecord } from './keys/manifest.js';
import { loadPipeline } from './pipeline/load-pipeline.js';
import type { Pipeline } from './pipeline/pipeline.js';
import { platformFacts } from './keys/platform.js';
import { ModuleBundler } from './scheduling/module-bundler.js';
import { PluginRegistry } from './scheduling/plugin-registry.js';
import { RuleRegistry } from './scheduling/rule-registry.js';
import { StatCache } from './keys/stat-cache.js';
import { tracePhase } from './trace.js';
import { Workspace } from './workspace.js';

/** One workspace opened for one command: the pipeline, the graph and the stores, loaded once. */
export class Session {
  readonly stats: StatCache;
  readonly bundler: ModuleBundler;
  readonly rules: RuleRegistry;
  /** The workspace modules configs name (strategies): bundled and keyed like rules. */
  readonly plugins: PluginRegistry;
  readonly cas: ContentStore;
  readonly actionCache: ActionCache;
  readonly state: BuildState;
  readonly graph: TargetGraph;
  readonly platform: KeyRecord['platform'];
  /** Where built actions that read a reserve are recorded; null for builds that are not evaluations (verify's clean rebuild). */
  holdoutLedger: string | null;

  constructor(
    readonly workspace: Workspace,
    readonly pipeline: Pipeline,
  ) {
    this.stats = new StatCache(workspace.stateDir);
    this.bundler = new ModuleBundler(workspace, this.stats);
    this.rules = new RuleRegistry(workspace, this.bundler);
    this.plugins = new PluginRegistry(workspace.root, this.bundler);
    this.cas = new ContentStore(workspace.casDir);
    this.actionCache = new ActionCache(workspace.acDir);
    this.state = new BuildState(workspace.stateDir);
    this.graph = new TargetGraph(pipeline);
    this.platform = platformFacts(workspace.root, this.stats);
    this.holdoutLedger = workspace.holdoutLedgerFile;
  }

  static async open(root: string, options: { cacheDir?: string } = {}): Promise<Session> {
    const workspace = new Workspace(root, options.cacheDir);
    tracePhase('start');
    const pipeline = await loadPipeline(workspace.root, workspace.stateDir);
    tracePhase('load pipeline');
    const session = new Session(workspace, pipeline);
    tracePhase('open stores and graph');
    return session;
  }

  /** Persists the accelerators (stat cache, rule bundle index, last results). */
  save(): void {
    this.state.save();
    this.stats.save();
    this.bundler.save();
  }
}
