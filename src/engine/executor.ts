import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { ActionOutcome, ActionTask, ProgressReport } from './action-task.js';
import { quantoPackageRoot } from './package-root.js';
import { runAction } from './run-action.js';

/** Where actions run: worker threads for builds, the calling thread for --jobs 0 and debugging. */
export interface Executor {
  run(task: ActionTask): Promise<ActionOutcome>;
  close(): Promise<void>;
}

export class InlineExecutor implements Executor {
  constructor(private readonly onProgress?: (p: ProgressReport) => void) {}

  run(task: ActionTask): Promise<ActionOutcome> {
    return runAction(task, this.onProgress);
  }

  async close(): Promise<void> {}
}

/** A piscina pool of `threads` workers, each running worker.js. */
export class WorkerPoolExecutor implements Executor {
  private readonly pool: Piscina;

  constructor(threads: number) {
    this.pool = new Piscina({
      filename: workerScript(),
      minThreads: threads,
      maxThreads: threads,
      // Rules may hold big buffers briefly; the queue itself is bounded by the scheduler.
      idleTimeout: 60_000,
    });
  }

  async run(task: ActionTask): Promise<ActionOutcome> {
    try {
      return (await this.pool.run(task)) as ActionOutcome;
    } catch (err) {
      // The worker itself died (process.exit in a rule, an out-of-memory): report, don't crash the build.
      return { ok: false, error: `worker failed: ${(err as Error).message}`, logPath: task.logPath, durationMs: 0 };
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/** The compiled worker: beside this file when running from dist/, else in the package's dist/. */
function workerScript(): string {
  const here = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (existsSync(here)) return here;
  const compiled = join(quantoPackageRoot(), 'dist', 'src', 'engine', 'worker.js');
  if (!existsSync(compiled)) throw new Error(`worker script not found at ${compiled}: run 'npm run build' first`);
  return compiled;
}
