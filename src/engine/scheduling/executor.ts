import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Piscina } from 'piscina';
import type { ActionEvent, ActionOutcome, ActionTask } from './action-task.js';
import { machineErrorMessage } from '../store/fs-errors.js';
import { quantoPackageRoot } from '../package-root.js';
import { runAction } from './run-action.js';

/** Where actions run: worker threads for builds, the calling thread for --jobs 0 and debugging. */
export interface Executor {
  /** Runs one action; an abort stops it if the executor can (worker threads are terminated). */
  run(task: ActionTask, signal?: AbortSignal): Promise<ActionOutcome>;
  close(): Promise<void>;
  /**
   * True when the executor says itself when an action starts (a 'started' event on the task's
   * event channel): a distributed job waits in a queue until a worker takes it, which the
   * scheduler cannot see. Otherwise the scheduler reports a start when a thread is free.
   */
  readonly reportsStart?: boolean;
}

export class InlineExecutor implements Executor {
  constructor(private readonly onEvent?: (e: ActionEvent) => void) {}

  run(task: ActionTask): Promise<ActionOutcome> {
    return runAction(task, this.onEvent);
  }

  async close(): Promise<void> {}
}

/** A piscina pool of `threads` workers, each running worker.js; started on first use, so no-op builds start no threads. */
export class WorkerPoolExecutor implements Executor {
  private starting: Promise<Piscina> | undefined;

  constructor(private readonly threads: number) {}

  /**
   * Starts the threads now, so they boot on the other cores while this thread plans and
   * checks the cache; called only when some action may have to run.
   */
  warm(): Promise<Piscina> {
    this.starting ??= import('piscina').then(
      ({ Piscina }) =>
        new Piscina({
          filename: workerScript(),
          minThreads: this.threads,
          maxThreads: this.threads,
          idleTimeout: 60_000,
        }),
    );
    return this.starting;
  }

  async run(task: ActionTask, signal?: AbortSignal): Promise<ActionOutcome> {
    const pool = await this.warm();
    try {
      return (await pool.run(task, signal ? { signal } : {})) as ActionOutcome;
    } catch (err) {
      // The worker itself died (process.exit in a rule, an out-of-memory, a disk too full to log): report, don't crash the build.
      const machine = machineErrorMessage(err, task.cacheDir);
      return {
        ok: false,
        error: machine ?? `worker failed: ${(err as Error).message}`,
        logPath: task.logPath,
        durationMs: 0,
        ...(machine ? { machine: true as const } : {}),
      };
    }
  }

  async close(): Promise<void> {
    if (this.starting) await (await this.starting).destroy();
  }
}

/**
 * The file piscina loads in each thread: a CommonJS shim (src/engine/scheduling/piscina-entry.cjs)
 * that imports the compiled worker, dist/src/engine/scheduling/worker.js.
 */
function workerScript(): string {
  const root = quantoPackageRoot();
  const compiled = join(root, 'dist', 'src', 'engine', 'scheduling', 'worker.js');
  if (!existsSync(compiled)) throw new Error(`worker script not found at ${compiled}: run 'npm run build' first`);
  return join(root, 'src', 'engine', 'scheduling', 'piscina-entry.cjs');
}
