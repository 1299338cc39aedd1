import type { Command } from 'commander';
import { jobsOption, type CommandContext, type GlobalOptions } from '../command-context.js';
import { build } from '../../engine/scheduling/build.js';
import { describeRepair, type BuildEvent, type BuildResult } from '../../engine/scheduling/build-events.js';
import { parseRedisUrl } from '../../engine/scheduling/distributed/redis-url.js';
import { ConfigError, EXIT_FAILURE, EXIT_USAGE } from '../../engine/errors.js';
import { requireUsableCache } from '../../engine/store/fs-errors.js';
import type { Executor } from '../../engine/scheduling/executor.js';
import { holdBuildLock } from '../../engine/store/locks.js';
import type { Session } from '../../engine/session.js';
import { plainReporter, summaryLine } from '../build-reporter.js';
import type { CliIO } from '../io.js';
import type { RemoteCache } from '../../engine/store/remote/remote-cache.js';
import type { RemoteCacheFlags } from '../../engine/store/remote/remote-cache-config.js';
import { openRemoteCache } from '../remote-cache.js';
import { openSession } from './open.js';

export interface BuildFlags extends RemoteCacheFlags {
  /** redis://HOST:PORT: run actions on `quanto worker` processes. */
  executor?: string;
  jobs?: number;
  keepGoing?: boolean;
  json?: boolean;
  tui?: boolean;
}

/** The terminal UI is for people: a TTY, not --no-tui, not --json, not CI. */
export function wantsTui(io: CliIO, flags: { json?: boolean; tui?: boolean }): boolean {
  return io.isTTY && !flags.json && flags.tui !== false && !process.env.CI;
}

export async function buildCommand(
  io: CliIO,
  globals: GlobalOptions,
  labels: string[],
  opts: BuildFlags,
): Promise<number> {
  const session = await openSession(io, globals);
  const remote = await openRemoteCache(session.pipeline.remoteCache, opts);
  const distributed = opts.executor ? await openDistributed(session, opts.executor, remote) : undefined;
  // With workers elsewhere, --jobs is how many actions are in flight at once (default 16).
  const flags = distributed ? { ...opts, jobs: opts.jobs ?? 16 } : opts;
  requireUsableCache(session.workspace.cacheDir);
  const release = holdBuildLock(session.workspace);
  try {
    const result = wantsTui(io, flags)
      ? await buildWithTui(session, labels, flags, remote, distributed)
      : await buildPlain(io, session, labels, flags, remote, distributed);
    for (const e of result.remote?.errors ?? []) io.err(`quanto: remote cache: ${e}`);
    // The plain log said so as it happened; the terminal UI had the screen, so say it now.
    if (wantsTui(io, flags)) for (const r of result.repaired ?? []) io.err(`quanto: cache: ${describeRepair(r)}`);
    if (opts.json) io.out(JSON.stringify(buildJson(result)));
    else io.out(summaryLine(result));
    // A build that failed on the machine (a full disk, a cache it may not write) is a settings problem: exit 2.
    if (result.actions.some((a) => a.status === 'failed' && a.machine)) return EXIT_USAGE;
    return result.failed > 0 || result.cancelled ? EXIT_FAILURE : 0;
  } finally {
    release();
    await distributed?.close();
    remote?.store.close();
  }
}

/** The executor of a distributed build; the remote cache is where workers meet the coordinator, so it is required. */
async function openDistributed(session: Session, url: string, remote: RemoteCache | undefined): Promise<Executor> {
  const redis = parseRedisUrl(url);
  if (!remote)
    throw new ConfigError(
      '--executor needs a remote cache (remote_cache: in quanto.pipeline.yaml, QUANTO_REMOTE_CACHE or --remote-cache): workers fetch inputs from it and upload outputs to it',
    );
  if (!remote.uploads)
    throw new ConfigError(
      '--executor needs a remote cache this build may write to (inputs are published for the workers); drop --no-remote-upload',
    );
  const { RedisExecutor } = await import('../../engine/scheduling/distributed/redis-executor.js');
  const wait = process.env.QUANTO_EXECUTOR_NO_WORKER_TIMEOUT_MS;
  return RedisExecutor.open({
    redis,
    remote,
    platform: session.platform,
    ...(wait ? { noWorkerTimeoutMs: Number(wait) } : {}),
  });
}

async function buildPlain(
  io: CliIO,
  session: Session,
  labels: string[],
  opts: BuildFlags,
  remote: RemoteCache | undefined,
  executor: Executor | undefined,
): Promise<BuildResult> {
  // Ctrl-C cancels cleanly (running actions stop, nothing half-written is committed); a second one exits at once.
  const abort = new AbortController();
  const onInterrupt = (): void => {
    if (abort.signal.aborted) process.exit(130);
    io.err('quanto: cancelling (Ctrl-C again to exit at once)');
    abort.abort();
  };
  process.on('SIGINT', onInterrupt);
  try {
    return await build(session, labels, {
      jobs: opts.jobs,
      keepGoing: opts.keepGoing,
      signal: abort.signal,
      onEvent: opts.json ? undefined : plainReporter((line) => io.out(line)),
      ...(remote ? { remote } : {}),
      ...(executor ? { executor } : {}),
    });
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

async function buildWithTui(
  session: Session,
  labels: string[],
  opts: BuildFlags,
  remote: RemoteCache | undefined,
  executor: Executor | undefined,
): Promise<BuildResult> {
  const { BuildModel } = await import('../tui/build-model.js');
  const { TuiStore, startTui } = await import('../tui/TuiApp.js');
  const { describeTarget } = await import('../tui/describe-target.js');
  const model = new BuildModel(session.graph, session.graph.select(labels));
  const store = new TuiStore(model, `quanto build ${labels.join(' ')}`, (t) => describeTarget(session, t));
  const abort = new AbortController();
  const tui = startTui(store, () => abort.abort());
  try {
    const result = await build(session, labels, {
      jobs: opts.jobs,
      keepGoing: opts.keepGoing,
      signal: abort.signal,
      onEvent: (e: BuildEvent) => model.apply(e),
      ...(remote ? { remote } : {}),
      ...(executor ? { executor } : {}),
    });
    model.done();
    return result;
  } finally {
    await tui.close();
  }
}

export function buildJson(result: BuildResult) {
  const targets = result.actions.map((a) => ({
    label: a.label,
    status: a.status,
    key: a.key ?? null,
    outputs: a.outputs ?? {},
    ...(a.remote ? { remote: true } : {}),
    ...(a.error ? { error: a.error, log: a.logPath ?? null } : {}),
  }));
  return {
    targets,
    built: result.built,
    cached: result.cached,
    failed: result.failed,
    skipped: result.skipped,
    ...(result.remote ? { remote: result.remote } : {}),
    ...(result.repaired ? { repaired: result.repaired } : {}),
  };
}

/** Registers `quanto build`. */
export function registerBuildCommand(program: Command, ctx: CommandContext): void {
  program
    .command('build')
    .description('build targets and everything they depend on')
    .argument('[labels...]', 'labels or patterns (//name, //prefix/..., //..., //name@dim=value)', ['//...'])
    .addOption(jobsOption())
    .option('-k, --keep-going', 'build every branch that does not depend on a failure')
    .option('--json', 'print one JSON object on stdout')
    .option('--no-tui', 'plain line-per-event output even on a terminal')
    .option(
      '--remote-cache <url>',
      'a shared cache on S3-compatible storage, s3://bucket/prefix (endpoint: remote_cache in the pipeline or QUANTO_REMOTE_CACHE_ENDPOINT)',
    )
    .option('--no-remote-upload', 'read from the remote cache, never write to it')
    .option(
      '--executor <url>',
      'run actions on `quanto worker` processes through BullMQ on this Redis (redis://HOST:PORT); needs a remote cache',
    )
    .action(ctx.run((labels: string[], opts: BuildFlags) => buildCommand(ctx.io, ctx.globals(), labels, opts)));
}
