import { ActionCache } from './action-cache.js';
import { BuildState } from './build-state.js';
import { ContentStore } from './cas.js';
import { TargetGraph } from './graph.js';
import type { KeyRecord } from './manifest.js';
import { loadPipeline, type Pipeline } from './pipeline.js';
import { platformFacts } from './platform.js';
import { RuleRegistry } from './rule-registry.js';
import { StatCache } from './stat-cache.js';
import { tracePhase } from './trace.js';
import { Workspace } from './workspace.js';

/** One workspace opened for one command: the pipeline, the graph and the stores, loaded once. */
export class Session {
  readonly stats: StatCache;
  readonly rules: RuleRegistry;
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
    this.rules = new RuleRegistry(workspace, this.stats);
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
    this.rules.save();
  }
}
