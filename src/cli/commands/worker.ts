import type { Command } from 'commander';
import { jobsOption, wholeNumberOption, type CommandContext, type GlobalOptions } from '../command-context.js';
import { availableParallelism } from 'node:os';
import { ActionWorker } from '../../engine/scheduling/distributed/action-worker.js';
import { parseRedisUrl } from '../../engine/scheduling/distributed/redis-url.js';
import { ConfigError } from '../../engine/errors.js';
import { RESOURCE_CLASSES, type ResourceClass } from '../../engine/pipeline/pipeline.js';
import type { CliIO } from '../io.js';
import { openRemoteCache } from '../remote-cache.js';
import { openSession } from './open.js';

export interface WorkerFlags {
  executor: string;
  jobs?: number;
  prefetch?: number;
  resources: string;
  lockMs: number;
  remoteCache?: string;
}

/** Parses --resources cpu,memory. */
export function parseResources(text: string): ResourceClass[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(RESOURCE_CLASSES as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0)
    throw new ConfigError(
      `--resources: expected a comma-separated list of ${RESOURCE_CLASSES.join(', ')}, got '${text}'`,
    );
  return [...new Set(names)] as ResourceClass[];
}

/**
 * quanto worker --executor redis://HOST:PORT: serves distributed builds from this checkout until
 * SIGINT or SIGTERM, then finishes the actions it holds and exits 0.
 */
export async function workerCommand(
  io: CliIO,
  globals: GlobalOptions,
  opts: WorkerFlags,
  stop?: AbortSignal,
): Promise<number> {
  const redis = parseRedisUrl(opts.executor);
  const resources = parseResources(opts.resources);
  const session = await openSession(io, globals);
  const remote = await openRemoteCache(session.pipeline.remoteCache, {
    ...(opts.remoteCache ? { remoteCache: opts.remoteCache } : {}),
    remoteUpload: true,
  });
  if (!remote)
    throw new ConfigError(
      'quanto worker needs a remote cache (remote_cache: in quanto.pipeline.yaml, QUANTO_REMOTE_CACHE or --remote-cache): it fetches inputs from it and uploads outputs to it',
    );
  if (!remote.uploads)
    throw new ConfigError('quanto worker uploads what it builds: the remote cache must not be read-only here');
  const jobs = Math.max(1, opts.jobs ?? availableParallelism());
  const worker = new ActionWorker({
    workspace: session.workspace,
    redis,
    remote,
    jobs,
    prefetch: opts.prefetch ?? jobs,
    resources,
    lockMs: opts.lockMs,
    log: (line) => io.out(line),
  });
  await worker.start();
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    if (stop) stop.addEventListener('abort', done, { once: true });
    else {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    }
  });
  io.out(`WORKER  ${worker.id} stopping: finishing the actions it holds`);
  await worker.close();
  remote.store.close();
  return 0;
}

/** Registers `quanto worker`. */
export function registerWorkerCommand(program: Command, ctx: CommandContext): void {
  program
    .command('worker')
    .description(
      'take actions of distributed builds from Redis and run them with this checkout (until SIGINT or SIGTERM)',
    )
    .requiredOption('--executor <url>', 'the Redis the builds queue on (redis://HOST:PORT)')
    .addOption(jobsOption())
    .addOption(
      wholeNumberOption(
        '--prefetch <n>',
        'actions held beyond those running, per resource class, fetching inputs or uploading outputs meanwhile; default: as many as --jobs',
      ),
    )
    .option('--resources <classes>', 'the resource classes this machine serves (cpu, memory)', 'cpu')
    .addOption(
      wholeNumberOption(
        '--lock-ms <ms>',
        'how long an action stays locked to this worker without a renewal (a killed worker loses its jobs after this)',
        { min: 100, unit: 'milliseconds', defaultValue: 30_000 },
      ),
    )
    .option(
      '--remote-cache <url>',
      'the shared cache (s3://bucket/prefix) it fetches inputs from and uploads outputs to',
    )
    .action(ctx.run((opts: WorkerFlags) => workerCommand(ctx.io, ctx.globals(), opts)));
}
