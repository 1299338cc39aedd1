import { availableParallelism } from 'node:os';
import { BroadcastChannel } from 'node:worker_threads';
import { combineTargetOutputs, keyOf, seedOf, type TargetOutputs } from '../keys/action-key.js';
import { appendHoldoutEntry } from '../research-integrity/holdout-ledger.js';
import { leakageProblem } from '../research-integrity/leakage-check.js';
import type { ActionEvent, ActionTask } from './action-task.js';
import type { ActionKey, Digest } from '../keys/digest.js';
import type { ActionResult, ActionStatus, BuildEvent, BuildResult, CacheRepair } from './build-events.js';
import { InlineExecutor, WorkerPoolExecutor, type Executor } from './executor.js';
import type { TargetName } from '../pipeline/label.js';
import type { OutputEntry } from '../keys/manifest.js';
import { materializeOutputs, outputsInPlace, outputsToPlace } from '../store/out-tree.js';
import { planBuild, srcPaths, type ActionPlan, type BuildPlan, type TargetPlan } from './plan.js';
import { pluginTaskEntry } from './plugin-registry.js';
import type { RemoteCache, RemoteCacheStats } from '../store/remote/remote-cache.js';
import { RemoteCachingExecutor } from '../store/remote/remote-caching-executor.js';
import type { LostInput } from '../store/input-check.js';
import { removeTempEntries } from '../store/scratch.js';
import type { Session } from '../session.js';
import { tracePhase } from '../trace.js';
import { leafDigests, reuseLastBuild, stampBuild, type TrustedTarget } from '../incremental/up-to-date.js';

export interface BuildOptions {
  /** Worker threads; 0 runs actions on the calling thread. Default: the core count. */
  jobs?: number;
  /** Build every branch that does not depend on a failure, instead of stopping at the first. */
  keepGoing?: boolean;
  /**
   * Cancels the build: nothing new starts and running actions are stopped (their worker
   * threads terminated). Their results are `skipped`; nothing they did reaches the action
   * cache, whose entries are only ever written complete.
   */
  signal?: AbortSignal;
  /** Reuse a pool across builds (watch mode); the caller closes it. */
  executor?: Executor;
  onEvent?: (event: BuildEvent) => void;
  /** A shared remote cache: read through on a local miss, written behind after a local run. */
  remote?: RemoteCache;
}

export function defaultJobs(): number {
  return availableParallelism();
}

let eventChannels = 0;
let builds = 0;

/**
 * How many times a build starts over after finding damaged input blobs. The second pass rebuilds
 * their producers; a third finding damage again means the disk is returning bad bytes.
 */
const MAX_PASSES = 3;

/**
 * Builds the targets the patterns select and everything under them. Cache checks run on this
 * thread as soon as an action's dependencies are done (they are cheap); misses wait for one of
 * `jobs` worker slots. A failure fails its dependents; without keepGoing nothing new starts.
 */
/**
 * Drops the start or progress of an action that has already finished. Events from threads and
 * distributed workers cross a channel and may arrive after the result (a job's 'active' event
 * and its completion can land together); a late one would draw a finished action as running.
 */
function withoutLateEvents(emit: (e: BuildEvent) => void): (e: BuildEvent) => void {
  const finished = new Set<string>();
  return (e) => {
    if (e.type === 'finish') finished.add(e.result.label);
    else if ((e.type === 'start' && finished.has(e.label)) || (e.type === 'progress' && finished.has(e.report.label)))
      return;
    emit(e);
  };
}

export async function build(
  session: Session,
  patterns: readonly string[],
  options: BuildOptions = {},
): Promise<BuildResult> {
  const started = Date.now();
  const emit = withoutLateEvents(options.onEvent ?? (() => {}));
  tracePhase('start of build');
  let leaves = leafDigests(session, patterns);
  tracePhase('leaf digests');
  const reuse = reuseLastBuild(session, patterns, leaves, started);
  tracePhase(`reuse last build: ${reuse?.kind ?? 'none'}`);
  if (reuse?.kind === 'all') {
    for (const result of reuse.result.actions) emit({ type: 'finish', result });
    return reuse.result;
  }
  const trusted = reuse?.trusted ?? new Map<TargetName, TrustedTarget>();
  const jobs = options.jobs ?? defaultJobs();
  const onActionEvent = (e: ActionEvent): void =>
    emit(
      e.kind === 'started'
        ? { type: 'start', label: e.label }
        : { type: 'progress', report: { label: e.label, done: e.done, total: e.total, unit: e.unit } },
    );
  let channel: BroadcastChannel | undefined;
  let channelName: string | null = null;
  // Threads and distributed executors report through a channel; the calling thread (--jobs 0) directly.
  if (options.onEvent && (jobs > 0 || options.executor)) {
    channelName = `quanto-events-${process.pid}-${++eventChannels}`;
    channel = new BroadcastChannel(channelName);
    channel.onmessage = (msg) => onActionEvent((msg as MessageEvent).data as ActionEvent);
  }
  const local: Executor =
    options.executor ??
    (jobs === 0 ? new InlineExecutor(options.onEvent ? onActionEvent : undefined) : new WorkerPoolExecutor(jobs));
  const remote = options.remote ? new RemoteCachingExecutor(local, options.remote) : undefined;
  const executor: Executor = remote ?? local;
  const statsBefore = options.remote
    ? { ...options.remote.stats, errors: [...options.remote.stats.errors] }
    : undefined;
  try {
    // Something changed since the last build (or there is none), so some action will likely
    // run: the threads boot on the other cores while this one plans and checks the cache.
    // A failure to start surfaces when the first action awaits the pool.
    if (local instanceof WorkerPoolExecutor) local.warm().catch(() => {});
    removeTempEntries(session.workspace.tmpDir, 'dead');
    // Keep one task queued behind each busy worker, so no worker waits for a round trip to this thread.
    const inFlight = jobs === 0 ? 1 : jobs * 2;
    const threads = jobs === 0 ? 1 : jobs;
    const buildId = `${process.pid}-${++builds}`;
    const repairs = new Map<Digest, CacheRepair>();
    const onRepair = (repair: CacheRepair): void => {
      if (repairs.has(repair.digest)) return;
      repairs.set(repair.digest, repair);
      emit({ type: 'repair', repair });
    };
    const builtEarlier = new Map<string, ActionResult>();
    let plan: BuildPlan;
    let results: ActionResult[];
    for (let pass = 1, passTrusted = trusted; ; pass++) {
      plan = await planBuild(session, patterns, new Set(passTrusted.keys()));
      tracePhase(`plan ${plan.targets.length} targets`);
      // A first build has no rule bundles to fingerprint until planning made them.
      leaves ??= leafDigests(session, patterns);
      emit({ type: 'planned', plan });
      const retry = pass < MAX_PASSES && !options.signal?.aborted;
      const scheduler = new Scheduler(
        session,
        plan,
        passTrusted,
        executor,
        inFlight,
        threads,
        options.keepGoing ?? false,
        emit,
        channelName,
        { buildId, onRepair, retryLostInputs: retry },
        options.signal,
      );
      results = await scheduler.run();
      tracePhase('schedule and run');
      if (!scheduler.lostInputs || !retry) break;
      for (const r of results) if (r.status === 'built') builtEarlier.set(r.label, r);
      // Start over with the full check: the damaged blobs are gone, so their producers are misses now.
      passTrusted = new Map();
    }
    // What an earlier pass built is what this build built, though the last pass found it cached.
    results = results.map((r) =>
      r.status === 'cached' && builtEarlier.get(r.label)?.key === r.key ? builtEarlier.get(r.label)! : r,
    );
    // Write-behind uploads finish before the build reports: a CI build that returns has published.
    await remote?.flush();
    const count = (s: ActionStatus) => results.filter((r) => r.status === s).length;
    const result: BuildResult = {
      actions: results,
      built: count('built'),
      cached: count('cached'),
      failed: count('failed'),
      skipped: count('skipped'),
      wallMs: Date.now() - started,
      ...(options.signal?.aborted ? { cancelled: true } : {}),
      ...(options.remote && statsBefore ? { remote: statsSince(options.remote.stats, statsBefore) } : {}),
      ...(repairs.size > 0 ? { repaired: [...repairs.values()] } : {}),
    };
    // A target whose key follows the clock can never be answered from a stamp.
    if (!plan.targets.some((t) => t.rule.rule.freshness)) stampBuild(session, patterns, leaves, result);
    tracePhase('stamp');
    session.save();
    tracePhase('save state');
    return result;
  } finally {
    channel?.close();
    // A shared executor's threads keep their scratch directories for the next build.
    await remote?.close();
    if (!options.executor) {
      await local.close();
      removeTempEntries(session.workspace.tmpDir, 'mine');
    }
    if (options.signal?.aborted) session.actionCache.removeTempFilesOf(process.pid);
    tracePhase('close workers');
  }
}

interface CacheChecks {
  /** Tells this build's tasks from other builds' in threads that outlive a build. */
  buildId: string;
  onRepair: (repair: CacheRepair) => void;
  /** Stop at damaged inputs so the build can start over (false: the last pass, they fail the action). */
  retryLostInputs: boolean;
}

class Scheduler {
  private readonly results = new Map<string, ActionResult>();
  private readonly targetOutputs = new Map<TargetName, TargetOutputs>();
  private readonly actionOutputs = new Map<string, { outputs: Record<string, OutputEntry>; outputsDigest: Digest }>();
  private readonly waitingDeps = new Map<TargetName, number>();
  private readonly actionsLeft = new Map<TargetName, number>();
  private readonly failedTargets = new Set<TargetName>();
  private readonly toCheck = new Queue<ActionPlan>();
  private readonly toRun = new Queue<ActionTask>();
  private readonly actionsByLabel = new Map<string, ActionPlan>();
  private running = 0;
  private stopping = false;
  /** True when some action found an input blob damaged, removed it and stopped the build for another pass. */
  lostInputs = false;
  private finish!: () => void;

  constructor(
    private readonly session: Session,
    private readonly plan: BuildPlan,
    private readonly trusted: ReadonlyMap<TargetName, TrustedTarget>,
    private readonly executor: Executor,
    private readonly slots: number,
    /** How many actions truly run at once; the rest of the `slots` wait in the pool's queue. */
    private readonly threads: number,
    private readonly keepGoing: boolean,
    private readonly emit: (e: BuildEvent) => void,
    private readonly eventChannel: string | null,
    private readonly checks: CacheChecks,
    private readonly signal?: AbortSignal,
  ) {}

  async run(): Promise<ActionResult[]> {
    for (const [name, t] of this.trusted) {
      this.targetOutputs.set(name, t.outputs);
      for (const r of t.results) {
        this.results.set(r.label, r);
        this.emit({ type: 'finish', result: r });
      }
    }
    for (const target of this.plan.targets) {
      const waiting = target.spec.deps.filter((d) => !this.trusted.has(d)).length;
      this.waitingDeps.set(target.name, waiting);
      this.actionsLeft.set(target.name, target.actions.length);
      for (const action of target.actions) this.actionsByLabel.set(action.label, action);
      if (waiting === 0) for (const a of target.actions) this.toCheck.push(a);
    }
    const onAbort = (): void => {
      this.stopping = true;
      this.pump();
    };
    this.signal?.addEventListener('abort', onAbort);
    await new Promise<void>((resolve) => {
      this.finish = resolve;
      if (this.signal?.aborted) this.stopping = true;
      this.pump();
    });
    this.signal?.removeEventListener('abort', onAbort);
    // Whatever never ran (stopped early, or below a failure) is reported as skipped; not when the build starts over.
    if (!this.lostInputs)
      for (const target of this.plan.targets) {
        for (const action of target.actions) {
          if (!this.results.has(action.label)) this.record(action, { status: 'skipped' });
        }
      }
    const results = this.plan.order.flatMap(
      (name) =>
        this.trusted.get(name)?.results ?? this.plan.byName.get(name)!.actions.map((a) => this.results.get(a.label)),
    );
    // Only a build that starts over leaves actions without a result.
    return results.filter((r): r is ActionResult => r !== undefined);
  }

  private finished = false;

  private pump(): void {
    if (this.finished) return;
    while (!this.stopping && this.toCheck.length > 0) this.check(this.toCheck.shift());
    while (!this.stopping && this.running < this.slots && this.toRun.length > 0) this.dispatch(this.toRun.shift());
    if (this.running === 0 && (this.stopping || (this.toCheck.length === 0 && this.toRun.length === 0))) {
      this.finished = true;
      this.finish();
    }
  }

  /**
   * The column roles a dependency's actions declared, merged; undefined when it declared none.
   * Read from the manifests of this build's results for that target.
   */
  private columnRolesOf(dep: TargetName): Record<string, string> | undefined {
    const labels =
      this.trusted.get(dep)?.results.map((r) => r.label) ??
      this.plan.byName.get(dep)?.actions.map((a) => a.label) ??
      [];
    let roles: Record<string, string> | undefined;
    for (const label of labels) {
      const key = this.results.get(label)?.key;
      const columns = key ? this.session.actionCache.get(key)?.columns : undefined;
      if (columns) roles = { ...roles, ...columns };
    }
    return roles;
  }

  /** Computes the key and either finishes the action from the cache or queues it to run. */
  private check(action: ActionPlan): void {
    const leak = leakageProblem(
      {
        label: action.label,
        deps: action.target.spec.deps,
        uses: action.target.rule.rule.consumes?.(action.target.config) ?? [],
      },
      (dep) => this.columnRolesOf(dep),
    );
    if (leak) {
      this.complete(action, { status: 'failed', error: leak });
      return;
    }
    const { recordJson, key } = keyOf(this.session, action, (dep) => this.targetOutputs.get(dep as TargetName)!);
    const target = action.target;
    const partitionPath = action.partition?.path ?? null;
    const outPath = this.session.workspace.outPathOf(target.name, partitionPath);
    const hit = this.lookup(action, key, outPath);
    if (hit) {
      this.complete(action, { status: 'cached', key, outputs: hit.outputs, outputsDigest: hit.outputsDigest });
      return;
    }
    const inputs: Record<string, TargetOutputs> = {};
    for (const dep of target.spec.deps) inputs[`//${dep}`] = this.targetOutputs.get(dep)!;
    this.toRun.push({
      cacheDir: this.session.workspace.cacheDir,
      label: action.label,
      target: target.name,
      partition: action.partition?.partition ?? null,
      partitionPath,
      bundlePath: target.rule.bundlePath,
      ruleName: target.rule.name,
      ruleVersion: target.rule.rule.version,
      config: target.config,
      plugins: Object.fromEntries(target.plugins.map((p) => [p.module, pluginTaskEntry(p)])),
      seed: seedOf(key),
      key,
      recordJson,
      inputs,
      buildId: this.checks.buildId,
      srcs: srcPaths(this.session.workspace.root, target.spec),
      outPath,
      parallelism: this.threads,
      logPath: this.session.workspace.logPathOf(target.name, partitionPath),
      eventChannel: this.eventChannel,
      resourceClass: target.spec.resourceClass,
    });
  }

  /**
   * The cached outputs of this key, or undefined for a miss. Every blob is checked for its size
   * (a stat); one about to be linked into cache/out afresh is rehashed too. A blob that fails is
   * taken out of the store and reported, and the action runs again.
   */
  private lookup(
    action: ActionPlan,
    key: ActionKey,
    outPath: string,
  ): { outputs: Record<string, OutputEntry>; outputsDigest: Digest } | undefined {
    const { state, actionCache, cas } = this.session;
    const last = state.get(action.label);
    if (last && last.key === key && outputsInPlace(cas, outPath, last.outputs)) return last;
    const manifest =
      last?.key === key ? { outputs: last.outputs, outputsDigest: last.outputsDigest } : actionCache.get(key);
    if (!manifest) return undefined;
    const toPlace = new Set(outputsToPlace(cas, outPath, manifest.outputs));
    for (const [name, o] of Object.entries(manifest.outputs)) {
      const problem = cas.check(o.digest, o.size, toPlace.has(name) ? 'full' : 'size');
      if (!problem) continue;
      // A manifest whose blobs were collected, lost or damaged is a miss: the action runs again.
      if (problem !== 'missing') cas.remove(o.digest);
      this.checks.onRepair({
        target: `//${action.target.name}`,
        output: action.partition ? `${action.partition.path}/${name}` : name,
        digest: o.digest,
        problem,
      });
      return undefined;
    }
    materializeOutputs(cas, outPath, manifest.outputs);
    state.set(action.label, { key, outputs: manifest.outputs, outputsDigest: manifest.outputsDigest });
    return manifest;
  }

  /**
   * 'start' is reported when an action gets a thread, not when it is queued: the pool hands
   * queued tasks to threads in order as each finishes, and this mirrors that.
   */
  private readonly waitingForThread = new Queue<string>();
  private readonly onThread = new Set<string>();

  private announceStart(label: string): void {
    if (this.executor.reportsStart) return;
    if (this.onThread.size < this.threads) {
      this.onThread.add(label);
      this.emit({ type: 'start', label });
    } else this.waitingForThread.push(label);
  }

  private releaseThread(label: string): void {
    this.onThread.delete(label);
    while (this.waitingForThread.length > 0 && this.onThread.size < this.threads) {
      const next = this.waitingForThread.shift();
      // A queued task can end without ever running (a cancelled build): it never starts.
      if (!this.results.has(next)) this.announceStart(next);
    }
  }

  private dispatch(task: ActionTask): void {
    this.running += 1;
    this.announceStart(task.label);
    const action = this.actionsByLabel.get(task.label)!;
    this.executor
      .run(task, this.signal)
      .then(
        (outcome) => {
          if (this.signal?.aborted && !outcome.ok) {
            this.record(action, { status: 'skipped', key: task.key, error: 'cancelled' });
          } else if (!outcome.ok && outcome.lostInputs && this.checks.retryLostInputs) {
            this.inputsLost(task, outcome.lostInputs);
          } else if (outcome.ok && outcome.origin === 'remote') {
            // Downloaded, not run: a cache hit, so no trial for the holdout ledger.
            const m = outcome.manifest;
            this.session.state.set(task.label, { key: m.key, outputs: m.outputs, outputsDigest: m.outputsDigest });
            this.complete(action, {
              status: 'cached',
              remote: true,
              key: m.key,
              outputs: m.outputs,
              outputsDigest: m.outputsDigest,
            });
          } else if (outcome.ok) {
            const m = outcome.manifest;
            // Before dependents are released, so a judge built in this same build counts this trial.
            if (m.holdout && this.session.holdoutLedger) {
              appendHoldoutEntry(this.session.holdoutLedger, {
                family: m.holdout.family,
                target: m.label,
                key: m.key,
                outputs_digest: m.outputsDigest,
                recorded_at: m.timings.startedAt,
                ...m.holdout.record,
              });
            }
            this.session.state.set(task.label, { key: m.key, outputs: m.outputs, outputsDigest: m.outputsDigest });
            this.complete(action, {
              status: 'built',
              key: m.key,
              outputs: m.outputs,
              outputsDigest: m.outputsDigest,
              durationMs: m.timings.durationMs,
              logPath: m.log ? task.logPath : undefined,
            });
          } else {
            this.complete(action, {
              status: 'failed',
              key: task.key,
              error: outcome.error,
              logPath: outcome.logPath,
              durationMs: outcome.durationMs,
              ...(outcome.machine ? { machine: true } : {}),
            });
          }
        },
        (err: unknown) => this.complete(action, { status: 'failed', key: task.key, error: String(err) }),
      )
      .finally(() => {
        this.running -= 1;
        this.releaseThread(task.label);
        this.pump();
      });
  }

  /**
   * The rule never ran: inputs it was given are damaged or gone. Their blobs leave the store
   * (so the producers' manifests become misses), nothing new starts, and the build starts over.
   */
  private inputsLost(task: ActionTask, lost: readonly LostInput[]): void {
    for (const l of lost) {
      this.session.cas.remove(l.digest);
      this.checks.onRepair({ target: l.input, output: l.name, digest: l.digest, problem: l.problem });
    }
    this.lostInputs = true;
    this.stopping = true;
  }

  private complete(
    action: ActionPlan,
    result: Omit<ActionResult, 'label' | 'target' | 'partition' | 'outputs'> & {
      outputs?: Record<string, OutputEntry>;
    },
  ): void {
    this.record(action, result);
    const target = action.target;
    if (result.status === 'failed') {
      this.failedTargets.add(target.name);
      if (!this.keepGoing) this.stopping = true;
    } else if (result.outputs && result.outputsDigest) {
      this.actionOutputs.set(action.label, { outputs: result.outputs, outputsDigest: result.outputsDigest });
    }
    const left = this.actionsLeft.get(target.name)! - 1;
    this.actionsLeft.set(target.name, left);
    if (left === 0 && !this.failedTargets.has(target.name)) this.targetDone(target);
  }

  private targetDone(target: TargetPlan): void {
    this.targetOutputs.set(
      target.name,
      combineTargetOutputs(target, (a) => this.actionOutputs.get(a.label)!),
    );
    for (const dependent of this.session.graph.dependentsOf(target.name)) {
      const plan = this.plan.byName.get(dependent);
      if (!plan) continue;
      const waiting = this.waitingDeps.get(dependent)! - 1;
      this.waitingDeps.set(dependent, waiting);
      if (waiting === 0) for (const a of plan.actions) this.toCheck.push(a);
    }
  }

  private record(
    action: ActionPlan,
    result: Omit<ActionResult, 'label' | 'target' | 'partition' | 'outputs'> & {
      outputs?: Record<string, OutputEntry>;
    },
  ): void {
    const full: ActionResult = {
      ...result,
      label: action.label,
      target: action.target.name,
      partition: action.partition?.path ?? null,
      outputs: result.outputs ? namesToDigests(result.outputs) : undefined,
    };
    this.results.set(action.label, full);
    this.emit({ type: 'finish', result: full });
  }
}

function statsSince(now: RemoteCacheStats, before: RemoteCacheStats): RemoteCacheStats {
  return {
    downloaded: now.downloaded - before.downloaded,
    fromWorkers: now.fromWorkers - before.fromWorkers,
    uploaded: now.uploaded - before.uploaded,
    corrupt: now.corrupt - before.corrupt,
    errors: now.errors.slice(before.errors.length),
  };
}

function namesToDigests(outputs: Record<string, OutputEntry>): Record<string, Digest> {
  const out: Record<string, Digest> = {};
  for (const [name, entry] of Object.entries(outputs)) out[name] = entry.digest;
  return out;
}

/** FIFO with O(1) shift (Array.prototype.shift is linear). */
class Queue<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T {
    const item = this.items[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
