import { BroadcastChannel } from 'node:worker_threads';
import type { ActionEvent, ProgressReport } from '../action-task.js';
import type { ActionKey } from '../../keys/digest.js';

/** The progress a worker stores on its job, for the coordinator's terminal UI. */
export type JobProgress = Pick<ProgressReport, 'done' | 'total' | 'unit'>;

/** A job's progress as it comes back from Redis: only a well-formed one reaches the UI. */
export function parseJobProgress(data: unknown): JobProgress | null {
  if (typeof data !== 'object' || data === null) return null;
  const { done, total, unit } = data as Record<string, unknown>;
  if (typeof done !== 'number' || !Number.isFinite(done)) return null;
  if (total !== undefined && (typeof total !== 'number' || !Number.isFinite(total))) return null;
  if (unit !== undefined && typeof unit !== 'string') return null;
  return { done, ...(total !== undefined ? { total } : {}), ...(unit !== undefined ? { unit } : {}) };
}

/**
 * On a distributed worker: takes the progress events of the actions its threads run (one
 * BroadcastChannel for all of them) and stores each on its BullMQ job, where the coordinator's
 * queue events pick it up. A rule may report thousands of steps, so each job is written at most
 * once per interval, with the latest value; steps in between are dropped, as a progress bar
 * would drop them anyway.
 */
export class ProgressRelay {
  readonly channelName = `quanto-worker-progress-${process.pid}`;
  private readonly channel = new BroadcastChannel(this.channelName);
  private readonly jobs = new Map<
    ActionKey,
    { write: (p: JobProgress) => Promise<void>; timer?: NodeJS.Timeout; pending?: JobProgress }
  >();

  constructor(private readonly intervalMs: number) {
    this.channel.onmessage = (msg) => this.onEvent((msg as MessageEvent).data as ActionEvent);
    this.channel.unref();
  }

  /** Relays the progress of the action with this key to `write` (the job's updateProgress) until `untrack`. */
  track(key: ActionKey, write: (p: JobProgress) => Promise<void>): void {
    this.jobs.set(key, { write });
  }

  untrack(key: ActionKey): void {
    clearTimeout(this.jobs.get(key)?.timer);
    this.jobs.delete(key);
  }

  private onEvent(e: ActionEvent): void {
    const job = this.jobs.get(e.key);
    if (!job || e.kind !== 'progress') return;
    const progress: JobProgress = {
      done: e.done,
      ...(e.total !== undefined ? { total: e.total } : {}),
      ...(e.unit !== undefined ? { unit: e.unit } : {}),
    };
    if (job.timer) {
      job.pending = progress;
      return;
    }
    const flush = (p: JobProgress) => {
      // A lost progress write costs a stale bar, never the action: Redis errors are ignored here.
      job.write(p).catch(() => {});
      job.timer = setTimeout(() => {
        job.timer = undefined;
        const next = job.pending;
        job.pending = undefined;
        if (next && this.jobs.get(e.key) === job) flush(next);
      }, this.intervalMs);
      job.timer.unref();
    };
    flush(progress);
  }

  close(): void {
    for (const key of [...this.jobs.keys()]) this.untrack(key);
    this.channel.close();
  }
}
