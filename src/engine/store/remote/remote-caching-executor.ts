import type { ActionOutcome, ActionTask } from '../../scheduling/action-task.js';
import type { Executor } from '../../scheduling/executor.js';
import { Workspace } from '../../workspace.js';
import type { RemoteCache } from './remote-cache.js';

/**
 * An executor in front of another: an action the local cache missed is first looked up on the
 * remote (read-through); only a remote miss runs, and what ran is uploaded behind the build
 * (write-behind), so the next action does not wait for the network. `flush` waits for the
 * uploads; the build calls it before it returns. A remote that fails never fails the build: the
 * action runs, and the error is counted in the stats.
 */
export class RemoteCachingExecutor implements Executor {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly inner: Executor,
    readonly remote: RemoteCache,
  ) {}

  /** A distributed executor behind this one says when its actions start; so does this one then. */
  get reportsStart(): boolean {
    return this.inner.reportsStart ?? false;
  }

  async run(task: ActionTask, signal?: AbortSignal): Promise<ActionOutcome> {
    try {
      const manifest = await this.remote.fetchAction(task);
      if (manifest && !signal?.aborted) return { ok: true, manifest, origin: 'remote' };
    } catch (err) {
      this.remote.stats.errors.push(`${task.label}: download: ${(err as Error).message}`);
    }
    const outcome = await this.inner.run(task, signal);
    // A distributed worker has uploaded what it ran before it reported.
    if (outcome.ok && outcome.origin !== 'distributed' && this.remote.uploads) {
      const upload = this.remote.upload(new Workspace('.', task.cacheDir), task.key).catch((err: unknown) => {
        this.remote.stats.errors.push(`${task.label}: upload: ${(err as Error).message}`);
      });
      this.pending.add(upload);
      void upload.finally(() => this.pending.delete(upload));
    }
    return outcome;
  }

  /** Waits until every upload started so far has finished (or failed). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Flushes; the inner executor belongs to whoever made it. */
  async close(): Promise<void> {
    await this.flush();
  }
}
