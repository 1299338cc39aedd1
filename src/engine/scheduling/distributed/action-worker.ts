import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { Job, Worker } from 'bullmq';
import type { ActionTask } from '../action-task.js';
import { canonicalJson } from '../../keys/canonical-json.js';
import { ContentStore } from '../../store/cas.js';
import { WorkerPoolExecutor, type Executor } from '../executor.js';
import type { KeyRecord } from '../../keys/manifest.js';
import type { ResourceClass } from '../../pipeline/pipeline.js';
import { platformFacts } from '../../keys/platform.js';
import type { RemoteCache } from '../../store/remote/remote-cache.js';
import { ModuleBundler } from '../module-bundler.js';
import { PluginRegistry, pluginTaskEntry } from '../plugin-registry.js';
import { RuleRegistry } from '../rule-registry.js';
import { StatCache } from '../../keys/stat-cache.js';
import type { Workspace } from '../../workspace.js';
import { queueNameOf, type ActionJob, type ActionJobResult } from './action-job.js';
import { ProgressRelay } from './progress-relay.js';
import { connectionOf, type RedisTarget } from './redis-url.js';

export interface ActionWorkerOptions {
  workspace: Workspace;
  redis: RedisTarget;
  remote: RemoteCache;
  /** Actions run at once (worker threads). */
  jobs: number;
  /**
   * Actions held beyond those running: while `jobs` actions run, these fetch their inputs or
   * upload their outputs, so a thread is not idle on the remote cache's latency. A held action
   * is locked to this worker, so more is not always better when workers are many. BullMQ
   * counts per queue, so with several resource classes each class's queue holds jobs + prefetch.
   */
  prefetch: number;
  resources: readonly ResourceClass[];
  /** How long a job stays locked without a renewal before another worker may take it over. */
  lockMs: number;
  log: (line: string) => void;
  /** For tests: the executor that runs the rule (default: a pool of `jobs` worker threads). */
  executor?: Executor;
  /** How often, at most, a running action's progress is written to its job (default 250 ms). */
  progressIntervalMs?: number;
}

/** Why this installation cannot reproduce the job's key, or null when it can. */
export async function refusalOf(
  job: ActionJob,
  record: KeyRecord,
  own: { platform: KeyRecord['platform']; rules: RuleRegistry; plugins: PluginRegistry },
): Promise<string | null> {
  if (canonicalJson(record.platform) !== canonicalJson(own.platform))
    return `platform differs: the job was keyed on ${canonicalJson(record.platform)}, this worker has ${canonicalJson(own.platform)}`;
  const rule = await own.rules.resolve(job.ruleName);
  if (canonicalJson(rule.sources) !== canonicalJson(record.rule.sources)) {
    const differ = [...new Set([...Object.keys(rule.sources), ...Object.keys(record.rule.sources)])]
      .filter((f) => rule.sources[f] !== record.rule.sources[f])
      .sort();
    return `rule '${job.ruleName}' differs in this worker's checkout (${differ.join(', ')}): update it to the coordinator's commit`;
  }
  if (rule.rule.version !== record.rule.version)
    return `rule '${job.ruleName}' is version ${rule.rule.version} here, ${record.rule.version} in the job`;
  for (const module of job.plugins ?? []) {
    const plugin = await own.plugins.resolve(module);
    const keyed = record.plugins?.[plugin.file]?.sources;
    if (!keyed || canonicalJson(plugin.sources) !== canonicalJson(keyed))
      return `plugin ${plugin.file} differs in this worker's checkout: update it to the coordinator's commit`;
  }
  const facts = rule.rule.keyFacts?.(job.config);
  if (canonicalJson(facts ?? null) !== canonicalJson(record.facts ?? null))
    return `rule '${job.ruleName}' reports other key facts here (${canonicalJson(facts ?? null)}) than in the job (${canonicalJson(record.facts ?? null)})`;
  return null;
}

/**
 * `quanto worker`: takes actions from the queues of its platform and resource classes, checks
 * that its own checkout would compute the same key (rule sources, platform, key facts) and
 * refuses the job otherwise, fetches the inputs and sources from the remote cache (each checked
 * by digest), runs the rule in a worker thread, uploads the outputs and manifest, and reports.
 * A rule that fails fails its job (no retry: the same key fails the same way); a worker that
 * dies mid-action loses its lock, and BullMQ gives the job to another worker.
 */
export class ActionWorker {
  private workers: Worker[] = [];
  private readonly stats: StatCache;
  private readonly bundler: ModuleBundler;
  private readonly rules: RuleRegistry;
  private readonly plugins: PluginRegistry;
  private readonly platform: KeyRecord['platform'];
  private readonly executor: Executor;
  private readonly progress: ProgressRelay;
  readonly id = `${hostname()}:${process.pid}`;

  constructor(private readonly o: ActionWorkerOptions) {
    this.stats = new StatCache(o.workspace.stateDir);
    this.bundler = new ModuleBundler(o.workspace, this.stats);
    this.rules = new RuleRegistry(o.workspace, this.bundler);
    this.plugins = new PluginRegistry(o.workspace.root, this.bundler);
    this.platform = platformFacts(o.workspace.root, this.stats);
    this.executor = o.executor ?? new WorkerPoolExecutor(o.jobs);
    this.progress = new ProgressRelay(o.progressIntervalMs ?? 250);
  }

  /** The queues this worker serves. */
  get queueNames(): string[] {
    return this.o.resources.map((r) => queueNameOf(this.platform, this.o.remote.store.id, r));
  }

  async start(): Promise<void> {
    const { Worker } = await import('bullmq');
    const r = this.o.redis;
    const connection = { ...connectionOf(r), maxRetriesPerRequest: null };
    this.workers = this.queueNames.map(
      (name) =>
        new Worker(name, (job: Job) => this.process(job), {
          connection,
          concurrency: this.o.jobs + this.o.prefetch,
          lockDuration: this.o.lockMs,
          stalledInterval: this.o.lockMs,
          maxStalledCount: 3,
          autorun: true,
        }),
    );
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
    this.o.log(
      `WORKER  ${this.id} serving ${this.queueNames.join(', ')} on ${r.display} (${this.o.jobs} at once, ${this.o.prefetch} more held)`,
    );
  }

  private async process(job: Job): Promise<ActionJobResult> {
    const { UnrecoverableError } = await import('bullmq');
    const data = job.data as ActionJob;
    const started = Date.now();
    const record = JSON.parse(data.recordJson) as KeyRecord;
    const refusal = await refusalOf(data, record, {
      platform: this.platform,
      rules: this.rules,
      plugins: this.plugins,
    });
    if (refusal) {
      this.o.log(`REFUSED ${data.label}: ${refusal}`);
      throw new UnrecoverableError(`refused by worker ${this.id}: ${refusal}`);
    }
    this.o.log(`START   ${data.label}`);
    const workspace = this.o.workspace;
    const cas = new ContentStore(workspace.casDir);
    const missing = await this.o.remote.fetchInto(cas, [
      ...Object.values(data.inputs).flatMap((i) => Object.values(i.files)),
      ...Object.values(data.srcs),
    ]);
    // Missing inputs are the coordinator's or the store's problem, not the rule's: BullMQ may retry.
    if (missing.length > 0)
      throw new Error(
        `worker ${this.id}: ${missing.length} input blob(s) are not intact on the remote cache (${missing.slice(0, 3).join(', ')})`,
      );
    const srcDir = join(workspace.tmpDir, `srcs-${process.pid}-${data.key.slice(0, 16)}`);
    const srcs: Record<string, string> = {};
    for (const [path, digest] of Object.entries(data.srcs)) {
      srcs[path] = join(srcDir, path);
      mkdirSync(dirname(srcs[path]!), { recursive: true });
      copyFileSync(cas.pathOf(digest), srcs[path]!);
    }
    const rule = await this.rules.resolve(data.ruleName);
    const task: ActionTask = {
      cacheDir: workspace.cacheDir,
      label: data.label,
      target: data.target,
      partition: data.partition,
      partitionPath: data.partitionPath,
      bundlePath: rule.bundlePath,
      ruleName: data.ruleName,
      ruleVersion: data.ruleVersion,
      config: data.config,
      plugins: Object.fromEntries(
        await Promise.all(
          (data.plugins ?? []).map(async (m) => [m, pluginTaskEntry(await this.plugins.resolve(m))] as const),
        ),
      ),
      seed: data.seed,
      key: data.key,
      recordJson: data.recordJson,
      inputs: data.inputs,
      srcs,
      outPath: workspace.outPathOf(data.target, data.partitionPath),
      parallelism: data.parallelism,
      logPath: workspace.logPathOf(data.target, data.partitionPath),
      eventChannel: this.progress.channelName,
      resourceClass: data.resourceClass,
    };
    this.progress.track(data.key, (p) => job.updateProgress(p));
    try {
      const outcome = await this.executor.run(task);
      if (!outcome.ok) {
        this.o.log(`FAILED  ${data.label}: ${outcome.error}`);
        throw new UnrecoverableError(outcome.error);
      }
      await this.o.remote.upload(workspace, data.key);
      this.o.log(`BUILT   ${data.label}`);
      return { outputsDigest: outcome.manifest.outputsDigest, worker: this.id, durationMs: Date.now() - started };
    } finally {
      this.progress.untrack(data.key);
      rmSync(srcDir, { recursive: true, force: true });
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await this.executor.close();
    this.progress.close();
    this.stats.save();
    this.bundler.save();
  }
}
