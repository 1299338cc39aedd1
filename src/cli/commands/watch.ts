import type { Command } from 'commander';
import { jobsOption, wholeNumberOption, type CommandContext, type GlobalOptions } from '../command-context.js';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { FSWatcher } from 'chokidar';
import { build, defaultJobs } from '../../engine/scheduling/build.js';
import { type BuildEvent, type BuildResult } from '../../engine/scheduling/build-events.js';
import { errorMessage, QuantoError } from '../../engine/errors.js';
import { WorkerPoolExecutor, InlineExecutor, type Executor } from '../../engine/scheduling/executor.js';
import { holdBuildLock } from '../../engine/store/locks.js';
import { removeTempEntries } from '../../engine/store/scratch.js';
import { Session } from '../../engine/session.js';
import { keyInputFiles, recoveryWatchList } from '../../engine/incremental/watch-inputs.js';
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
  // One watcher for the session, never told to unwatch: chokidar drops events of a file
  // unwatched inside a watched directory. It watches the places where key inputs usually
  // live plus any input outside them; events are filtered by what the keys read now.
  const { watch } = await import('chokidar');
  let watcher: FSWatcher | undefined;
  const added = new Set<string>(recoveryWatchList(root));
  /** Key input files of the last build; null while the workspace is invalid (then every event counts). */
  let interesting: Set<string> | null = null;
  let current: { abort: AbortController; done: Promise<void> } | undefined;
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;

  const setInteresting = (paths: string[] | null): void => {
    const before = interesting?.size;
    interesting = paths ? new Set(paths) : null;
    const outside = (paths ?? []).filter(
      (p) => !added.has(p) && !recoveryWatchList(root).some((dir) => p.startsWith(`${dir}/`)),
    );
    if (outside.length > 0) {
      watcher?.add(outside);
      for (const p of outside) added.add(p);
    }
    if (interesting && interesting.size !== before) view.watching(interesting.size);
  };

  const cycle = async (trigger: string | undefined, abort: AbortController): Promise<void> => {
    view.cycleBegan(trigger);
    // chokidar coalesces a second write that follows the first within ~50 ms, and a file added
    // to the watch list is not watched at once: what changed while this cycle ran is found by
    // comparing file signatures from its start with those at its end.
    const before = signatures(interesting ?? listFiles(recoveryWatchList(root)));
    for (const [path, sig] of before) seenAt.set(path, sig);
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
          signal: abort.signal,
          onEvent,
          ...(remote ? { remote } : {}),
        });
        if (!result.cancelled) view.cycleFinished(result);
      } finally {
        remote?.store.close();
      }
      setInteresting(keyInputFiles(session, labels));
    } catch (err) {
      if (!(err instanceof QuantoError)) throw err;
      view.invalid(err.message);
      // Still valid enough to know the key inputs (a bad config): watch those; else watch everything.
      setInteresting(session ? keyInputFiles(session, labels) : null);
    }
    const after = signatures([...before.keys(), ...(interesting ?? [])]);
    const missed = [...after]
      .filter(([path, sig]) => before.has(path) && before.get(path) !== sig)
      .map(([path]) => path);
    if (missed.length > 0 && !abort.signal.aborted) for (const path of missed) relevantChange(path);
  };

  const start = (trigger: string | undefined): void => {
    const abort = new AbortController();
    const done = cycle(trigger, abort).catch((err: unknown) => {
      view.invalid(`internal error: ${errorMessage(err)}`);
    });
    current = { abort, done };
    void done.then(() => {
      if (current?.done === done) current = undefined;
    });
  };

  const onChange = (path: string): void => {
    pending.push(relative(root, path) || path);
    clearTimeout(timer);
    // Cancel the build in flight at once; rebuild when the writes have settled.
    current?.abort.abort();
    timer = setTimeout(() => {
      const trigger = [...new Set(pending)].sort().join(', ');
      pending = [];
      const previous = current?.done ?? Promise.resolve();
      void previous.then(() => {
        if (!quit.signal.aborted) start(trigger);
      });
    }, flags.debounce ?? 25);
  };

  watcher = watch(recoveryWatchList(root), { ignoreInitial: true, persistent: true });
  // chokidar drops a write that follows another to the same file within ~50 ms; looking at
  // the file again a little later catches it.
  // The signature each file had when last read by a cycle (or last reported): what a
  // recheck compares with, so a write caught half-way (truncated, then written) is not
  // mistaken for a second change once the cycle has read the finished file.
  const seenAt = new Map<string, string>();
  const relevantChange = (path: string): void => {
    seenAt.set(path, signatures([path]).get(path)!);
    setTimeout(() => {
      if (!quit.signal.aborted && signatures([path]).get(path) !== seenAt.get(path)) relevantChange(path);
    }, 150).unref();
    onChange(path);
  };
  watcher.on('all', (_event, path) => {
    if (interesting === null || interesting.has(path)) relevantChange(path);
  });
  await new Promise<void>((resolve) => watcher!.once('ready', () => resolve()));

  const onInterrupt = (): void => quit.abort();
  process.on('SIGINT', onInterrupt);
  try {
    start(undefined);
    await new Promise<void>((resolve) => quit.signal.addEventListener('abort', () => resolve(), { once: true }));
    clearTimeout(timer);
    current?.abort.abort();
    await current?.done;
    return 0;
  } finally {
    process.off('SIGINT', onInterrupt);
    await watcher?.close();
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

/** inode, size and mtime of each file; a file that does not exist has the signature 'missing'. */
function signatures(paths: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const path of paths) {
    const st = statSync(path, { bigint: true, throwIfNoEntry: false });
    out.set(path, st ? `${st.ino}:${st.size}:${st.mtimeNs}` : 'missing');
  }
  return out;
}

/** The files in and under these paths. */
function listFiles(paths: string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    const st = statSync(path, { throwIfNoEntry: false });
    if (st?.isFile()) out.push(path);
    else if (st?.isDirectory()) {
      for (const e of readdirSync(path, { recursive: true, withFileTypes: true }))
        if (e.isFile()) out.push(join(e.parentPath, e.name));
    }
  }
  return out;
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
