import type { Command } from 'commander';
import { jobsOption, wholeNumberOption, type CommandContext, type GlobalOptions } from '../command-context.js';
import { build, defaultJobs } from '../../engine/scheduling/build.js';
import { type BuildEvent, type BuildResult } from '../../engine/scheduling/build-events.js';
import { QuantoError } from '../../engine/errors.js';
import { WorkerPoolExecutor, InlineExecutor, type Executor } from '../../engine/scheduling/executor.js';
import { holdBuildLock } from '../../engine/store/locks.js';
import { removeTempEntries } from '../../engine/store/scratch.js';
import { Session } from '../../engine/session.js';
import { keyInputFiles } from '../../engine/incremental/watch-inputs.js';
import { Watcher } from '../../engine/incremental/watcher.js';
import { Workspace } from '../../engine/workspace.js';
import { plainReporter, summaryLine } from '../build-reporter.js';
import type { CliIO } from '../io.js';
import { findWorkspaceRoot } from '../workspace-root.js';
import type { RemoteCacheFlags } from '../../engine/store/remote/remote-cache-config.js';
import { openRemoteCache } from '../remote-cache.js';
import { wantsTui } from './build.js';

export interface WatchFlags extends RemoteCacheFlags {
  jobs?: number;
  keepGoing?: boolean;
  tui?: boolean;
  /** Milliseconds of quiet after a change before rebuilding (editors write in bursts). */
  debounce?: number;
}

/** How a watch session reports, in plain lines or in the terminal UI. */
interface WatchView {
  /** A rebuild begins, because of a change to `trigger` (undefined: the first build). */
  cycleBegan(trigger: string | undefined): void;
  buildStarted(session: Session): (e: BuildEvent) => void;
  cycleFinished(result: BuildResult): void;
  invalid(message: string): void;
  watching(count: number): void;
  close(): Promise<void>;
}

/**
 * quanto watch: build, then rebuild whenever a file the targets' keys read changes. A change
 * during a build cancels it and starts again once the burst of writes is over, so the last
 * build always matches the files on disk. An invalid pipeline or config is shown and watched
 * until it is fixed.
 */
export async function watchCommand(
  io: CliIO,
  globals: GlobalOptions,
  labels: string[],
  flags: WatchFlags,
  stop?: AbortSignal,
): Promise<number> {
  const root = globals.workspace ?? findWorkspaceRoot(io.cwd);
  const workspace = new Workspace(root);
  const release = holdBuildLock(workspace);
  const quit = new AbortController();
  stop?.addEventListener('abort', () => quit.abort());
  const view = wantsTui(io, flags) ? await tuiView(labels, () => quit.abort()) : plainView(io, root);
  // One pool for the whole session: no thread start-up on each rebuild.
  const executor: Executor =
    flags.jobs === 0 ? new InlineExecutor() : new WorkerPoolExecutor(flags.jobs ?? defaultJobs());
  // The engine's watcher decides when to build; each cycle here opens the workspace and builds it.
  const watcher = new Watcher(
    root,
    {
      async cycle(trigger, signal) {
        view.cycleBegan(trigger);
        let session: Session | undefined;
        try {
          session = await Session.open(root);
          session.graph.select(labels);
          // Opened each cycle: the pipeline's remote_cache block may have been edited since the last.
          const remote = await openRemoteCache(session.pipeline.remoteCache, flags);
          try {
            const onEvent = view.buildStarted(session);
            const result = await build(session, labels, {
              jobs: flags.jobs,
              keepGoing: flags.keepGoing,
              executor,
              signal,
              onEvent,
              ...(remote ? { remote } : {}),
            });
            if (!result.cancelled) view.cycleFinished(result);
          } finally {
            remote?.store.close();
          }
          return keyInputFiles(session, labels);
        } catch (err) {
          if (!(err instanceof QuantoError)) throw err;
          view.invalid(err.message);
          // Still valid enough to know the key inputs (a bad config): watch those; else watch everything.
          return session ? keyInputFiles(session, labels) : null;
        }
      },
      watching: (count) => view.watching(count),
      internalError: (message) => view.invalid(message),
    },
    flags.debounce ?? 25,
  );

  const onInterrupt = (): void => quit.abort();
  process.on('SIGINT', onInterrupt);
  try {
    await watcher.start();
    await new Promise<void>((resolve) => quit.signal.addEventListener('abort', () => resolve(), { once: true }));
    return 0;
  } finally {
    process.off('SIGINT', onInterrupt);
    await watcher.stop();
    await executor.close();
    removeTempEntries(workspace.tmpDir, 'mine');
    await view.close();
    release();
  }
}

function plainView(io: CliIO, root: string): WatchView {
  return {
    cycleBegan(trigger) {
      io.out(trigger ? `CHANGE  ${trigger}` : 'WATCH   initial build');
    },
    buildStarted() {
      return plainReporter((line) => io.out(line));
    },
    cycleFinished(result) {
      io.out(summaryLine(result));
    },
    invalid(message) {
      io.out(`INVALID ${message.split('\n').join('\n        ')}`);
      io.out('        (fix the file; watching for the change)');
    },
    watching(count) {
      io.out(`WATCHING ${count} files under ${root}`);
    },
    async close() {},
  };
}

async function tuiView(labels: string[], onQuit: () => void): Promise<WatchView> {
  const { BuildModel } = await import('../tui/build-model.js');
  const { TuiStore, startTui } = await import('../tui/TuiApp.js');
  const { describeTarget } = await import('../tui/describe-target.js');
  const title = `quanto watch ${labels.join(' ')}`;
  let session: Session | undefined;
  let files = 0;
  let rebuilds = 0;
  let lastTrigger = 'initial build';
  const store = new TuiStore(new BuildModel({ depsOf: () => [], closure: () => [] }, []), title, (t) =>
    session ? describeTarget(session, t) : { title: `//${t}`, lines: [] },
  );
  const status = (): string => `watching ${files} files · build #${rebuilds} after ${lastTrigger}`;
  const ui = startTui(store, onQuit);
  return {
    cycleBegan(trigger) {
      rebuilds += 1;
      lastTrigger = trigger ? `change to ${trigger}` : 'start';
      store.status = status();
      store.changed();
    },
    buildStarted(s) {
      session = s;
      store.error = undefined;
      store.model = new BuildModel(s.graph, s.graph.select(labels));
      store.status = status();
      store.changed();
      return (e) => store.model.apply(e);
    },
    cycleFinished() {
      store.model.done();
      store.changed();
    },
    invalid(message) {
      store.error = {
        title: 'invalid workspace: fix the file, the build resumes on save',
        lines: message.split('\n'),
        color: 'yellow',
      };
      store.status = status();
      store.changed();
    },
    watching(count) {
      files = count;
      store.status = status();
      store.changed();
    },
    close: () => ui.close(),
  };
}

/** Registers `quanto watch`. */
export function registerWatchCommand(program: Command, ctx: CommandContext): void {
  program
    .command('watch')
    .description('build, then rebuild what changed on every edit of a file the targets depend on')
    .argument('[labels...]', 'labels or patterns', ['//...'])
    .addOption(jobsOption())
    .option('-k, --keep-going', 'build every branch that does not depend on a failure')
    .option('--no-tui', 'plain line-per-event output even on a terminal')
    .addOption(
      wholeNumberOption('--debounce <ms>', 'quiet time after a change before rebuilding', {
        unit: 'milliseconds',
        defaultValue: 25,
      }),
    )
    .option(
      '--remote-cache <url>',
      'a shared cache on S3-compatible storage, s3://bucket/prefix: read through on a local miss, written behind',
    )
    .option('--no-remote-upload', 'read from the remote cache, never write to it')
    .action(ctx.run((labels: string[], opts: WatchFlags) => watchCommand(ctx.io, ctx.globals(), labels, opts)));
}
