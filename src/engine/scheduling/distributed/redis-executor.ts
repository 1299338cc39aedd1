import { readFileSync, statSync } from 'node:fs';
import { BroadcastChannel } from 'node:worker_threads';
import type { Job, Queue, QueueEvents } from 'bullmq';
import type { ActionEvent, ActionOutcome, ActionTask } from '../action-task.js';
import { ContentStore } from '../../store/cas.js';
import type { ActionKey, Digest } from '../../keys/digest.js';
import type { Executor } from '../executor.js';
import type { KeyRecord } from '../../keys/manifest.js';
import type { RemoteCache } from '../../store/remote/remote-cache.js';
import { Workspace } from '../../workspace.js';
import { queueNameOf, type ActionJob, type ActionJobResult } from './action-job.js';
import { parseJobProgress } from './progress-relay.js';
import { connectionOf, type RedisTarget } from './redis-url.js';

export interface RedisExecutorOptions {
  redis: RedisTarget;
  remote: RemoteCache;
  platform: KeyRecord['platform'];
  /** How often a waiting action checks that its job still exists (Redis may have restarted empty). */
  watchdogMs?: number;
  /** How many times a job that vanished is queued again before the action fails. */
  maxRequeues?: number;
  /** How long a job may wait with no worker on its queue before the action fails. */
  noWorkerTimeoutMs?: number;
}

const startedEvent = (key: ActionKey, label: string): ActionEvent => ({ kind: 'started', key, label });

function progressEvent(key: ActionKey, label: string, data: unknown): ActionEvent | null {
  const progress = parseJobProgress(data);
  return progress && { kind: 'progress', key, label, ...progress };
}

/**
 * Runs actions on `quanto worker` processes through BullMQ on Redis. Before an action is queued
 * its inputs and sources are published to the remote cache, where the worker fetches them; the
 * job's id is the action key, so an action already queued or running (by this build or another
 * coordinator) is joined, never run twice at once. A finished job's outputs come back through
 * the remote cache, checked by digest like any download. The scheduler is the local one, so DAG
 * order, early cutoff and the terminal UI are unchanged.
 */
export class RedisExecutor implements Executor {
  /** A job waits in the queue until a worker takes it: the start is BullMQ's 'active' event, relayed. */
  readonly reportsStart = true;
  private readonly queues = new Map<string, Queue>();
  private events = new Map<string, QueueEvents>();
  /** Actions waiting on a job whose progress someone listens to: key → label and the build's event channel. */
  private readonly listening = new Map<string, { label: string; channel: string }>();
  private readonly channels = new Map<string, BroadcastChannel>();

  private constructor(
    private readonly bullmq: typeof import('bullmq'),
    private readonly options: RedisExecutorOptions,
  ) {}

  static async open(options: RedisExecutorOptions): Promise<RedisExecutor> {
    return new RedisExecutor(await import('bullmq'), options);
  }

  private connection() {
    return { ...connectionOf(this.options.redis), maxRetriesPerRequest: 20, enableOfflineQueue: true };
  }

  private async queueFor(name: string): Promise<{ queue: Queue; events: QueueEvents }> {
    let queue = this.queues.get(name);
    let events = this.events.get(name);
    if (!queue || !events) {
      queue = new this.bullmq.Queue(name, { connection: this.connection() });
      events = new this.bullmq.QueueEvents(name, { connection: { ...this.connection(), maxRetriesPerRequest: null } });
      // Every action in flight waits on these two (a listener each): as many as --jobs, not a leak.
      queue.setMaxListeners(0);
      events.setMaxListeners(0);
      events.on('progress', ({ jobId, data }) => this.relay(jobId, (key, label) => progressEvent(key, label, data)));
      events.on('active', ({ jobId }) => this.relay(jobId, startedEvent));
      this.queues.set(name, queue);
      this.events.set(name, events);
      await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    }
    return { queue, events };
  }

  async run(task: ActionTask, signal?: AbortSignal): Promise<ActionOutcome> {
    const started = Date.now();
    const fail = (error: string): ActionOutcome => ({
      ok: false,
      error,
      logPath: task.logPath,
      durationMs: Date.now() - started,
    });
    const workspace = new Workspace('.', task.cacheDir);
    const cas = new ContentStore(workspace.casDir);
    const record = JSON.parse(task.recordJson) as KeyRecord;
    try {
      // Inputs and sources first: a worker that takes the job must find them.
      const inputBlobs = Object.values(task.inputs).flatMap((i) => Object.values(i.files));
      await this.options.remote.publish([
        ...[...new Set(inputBlobs)].map((digest) => ({
          digest,
          size: cas.sizeOf(digest) ?? -1,
          read: () => readFileSync(cas.pathOf(digest)),
        })),
        ...Object.entries(record.srcs).map(([path, digest]) => ({
          digest,
          size: statSync(task.srcs[path]!).size,
          read: () => readFileSync(task.srcs[path]!),
        })),
      ]);
      const job: ActionJob = {
        label: task.label,
        target: task.target,
        partition: task.partition,
        partitionPath: task.partitionPath,
        ruleName: task.ruleName,
        ruleVersion: task.ruleVersion,
        config: task.config,
        plugins: Object.keys(task.plugins),
        seed: task.seed,
        key: task.key,
        recordJson: task.recordJson,
        inputs: task.inputs as ActionJob['inputs'],
        srcs: record.srcs,
        parallelism: task.parallelism,
        resourceClass: task.resourceClass,
      };
      const { queue, events } = await this.queueFor(
        queueNameOf(this.options.platform, this.options.remote.store.id, task.resourceClass),
      );
      if (task.eventChannel) this.listening.set(task.key, { label: task.label, channel: task.eventChannel });
      let result = await this.runJob(queue, events, job, signal);
      if ('error' in result) return fail(result.error);
      let manifest = await this.options.remote.fetchAction(task, 'worker-result');
      if (!manifest) {
        // A job of this key that finished before the remote entry was lost (or damaged): run it again, once.
        await queue.remove(task.key);
        result = await this.runJob(queue, events, job, signal);
        if ('error' in result) return fail(result.error);
        manifest = await this.options.remote.fetchAction(task, 'worker-result');
      }
      if (!manifest)
        return fail(
          `a worker ran ${task.label} (${result.worker}) but the remote cache has no intact entry for it: check the remote cache, then build again`,
        );
      return { ok: true, manifest, origin: 'distributed' };
    } catch (err) {
      return fail(`distributed execution on ${this.options.redis.display}: ${(err as Error).message}`);
    } finally {
      this.listening.delete(task.key);
    }
  }

  /** A job taken by a worker, or its progress, passed to the build's event channel as if a local thread had sent it. */
  private relay(jobId: string, eventOf: (key: ActionKey, label: string) => ActionEvent | null): void {
    const target = this.listening.get(jobId);
    const event = target && eventOf(jobId as ActionKey, target.label);
    if (!target || !event) return;
    let channel = this.channels.get(target.channel);
    if (!channel) {
      channel = new BroadcastChannel(target.channel);
      channel.unref();
      this.channels.set(target.channel, channel);
    }
    channel.postMessage(event);
  }

  /** Queues the job (or joins the one with its key), then waits for it, re-queueing it if Redis lost it. */
  private async runJob(
    queue: Queue,
    events: QueueEvents,
    data: ActionJob,
    signal?: AbortSignal,
  ): Promise<ActionJobResult | { error: string }> {
    const maxRequeues = this.options.maxRequeues ?? 3;
    for (let requeues = 0; ; requeues++) {
      const job = await this.enqueue(queue, data);
      const outcome = await this.waitFor(queue, job, events, signal);
      if (outcome !== 'lost') return outcome;
      if (requeues >= maxRequeues)
        return {
          error: `the job of ${data.label} vanished from Redis ${requeues + 1} times (is Redis restarting without persistence?); nothing was cached from it`,
        };
    }
  }

  private async enqueue(queue: Queue, data: ActionJob): Promise<Job> {
    const job = await queue.add(data.label, data, {
      jobId: data.key,
      attempts: 1,
      removeOnComplete: { age: 3600, count: 100_000 },
      removeOnFail: { age: 3600, count: 100_000 },
    });
    const state = await job.getState();
    // A job of this key that failed before (a rule error, a refusal) is run again, not reported again.
    if (state === 'failed') await job.retry('failed');
    // Joined while a worker runs it (another coordinator queued it): its 'active' event has passed.
    if (state === 'active') this.relay(data.key, startedEvent);
    return job;
  }

  private async waitFor(
    queue: Queue,
    job: Job,
    events: QueueEvents,
    signal?: AbortSignal,
  ): Promise<ActionJobResult | { error: string } | 'lost'> {
    const watchdogMs = this.options.watchdogMs ?? 2000;
    let idleSince: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const finished = job.waitUntilFinished(events).then(
      // Two coordinators waiting on one job: the completion can reach this one before the job's
      // return value is readable (null), so read it from the job, and if it is still not there,
      // take the job as lost: queued again, it is answered from the completed job or the cache.
      async (value: unknown): Promise<ActionJobResult | 'lost'> =>
        (value ?? (await queue.getJob(job.id!).catch(() => undefined))?.returnvalue ?? 'lost') as
          ActionJobResult | 'lost',
      async (err: unknown): Promise<{ error: string } | 'lost'> => {
        // BullMQ rejects with "Missing key for job" when Redis lost the job (a restart without
        // persistence): that is a lost job to queue again, not a failure of the action.
        const fresh = await queue.getJob(job.id!).catch(() => undefined);
        if (!fresh || /Missing key for job/.test((err as Error).message)) return 'lost';
        return { error: (err as Error).message };
      },
    );
    const watchdog = new Promise<'lost' | ActionJobResult | { error: string }>((resolve) => {
      const check = async () => {
        try {
          const fresh = await queue.getJob(job.id!);
          if (!fresh) return resolve('lost');
          // Completion events can be missed across a Redis restart: read the outcome from the job itself.
          const state = await fresh.getState();
          // A job read just before it completed has no return value yet: look again at the next check.
          if (state === 'completed' && fresh.returnvalue) return resolve(fresh.returnvalue as ActionJobResult);
          if (state === 'failed') return resolve({ error: fresh.failedReason });
          if (state === 'waiting' && (await queue.getWorkersCount()) === 0) {
            idleSince ??= Date.now();
            if (Date.now() - idleSince >= (this.options.noWorkerTimeoutMs ?? 60_000)) {
              await fresh.remove().catch(() => {});
              return resolve({
                error: `no worker serves ${queue.name} (this platform, this remote cache, resource class '${(fresh.data as ActionJob).resourceClass}'): start one with quanto worker --executor ${this.options.redis.display} --resources ${(fresh.data as ActionJob).resourceClass}`,
              });
            }
          } else idleSince = undefined;
        } catch {
          // Redis unreachable for now: ioredis reconnects; the next check tries again.
        }
        timer = setTimeout(() => void check(), watchdogMs);
      };
      timer = setTimeout(() => void check(), watchdogMs);
    });
    const aborted = new Promise<{ error: string }>((resolve) => {
      onAbort = () => {
        void job.remove().catch(() => {}); // a job a worker holds stays; its result is cached for next time
        resolve({ error: 'cancelled' });
      };
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([finished, watchdog, aborted]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    for (const channel of this.channels.values()) channel.close();
    await Promise.all([...this.events.values()].map((e) => e.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}

export type { Digest };
