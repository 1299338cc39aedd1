import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { FSWatcher } from 'chokidar';
import { errorMessage } from '../errors.js';
import { recoveryWatchList } from './watch-inputs.js';

/** What the watcher asks of its owner: one build cycle, and where to say what it watches. */
export interface WatchCycles {
  /**
   * Builds the files as they are now, because `trigger` changed (undefined: the first cycle),
   * until `signal` aborts. Returns the files the keys read, to watch from now on, or null when
   * the workspace is too broken to know them (then every file under it counts).
   */
  cycle(trigger: string | undefined, signal: AbortSignal): Promise<string[] | null>;
  /** The number of files watched changed. */
  watching(count: number): void;
  /** A cycle threw something that is not a Quanto error. */
  internalError(message: string): void;
}

/**
 * - `idle`: nothing changed since the last cycle finished.
 * - `building`: a cycle is running.
 * - `settling`: a change arrived (and cancelled any cycle in flight); the next cycle starts
 *   once the writes have been quiet for the debounce time and the cancelled one has stopped.
 * - `stopped`: stop() was called; nothing starts again.
 */
export type WatcherState = 'idle' | 'building' | 'settling' | 'stopped';

/**
 * Rebuild on every change of a file the keys read, in the spirit of wireit's watcher: one
 * chokidar watcher for the session (never told to unwatch: chokidar drops events of a file
 * unwatched inside a watched directory) over the places key inputs usually live plus any input
 * outside them, events filtered by what the keys read now, a change during a build cancelling
 * it, and the next build starting when the burst of writes is over, so the last build always
 * matches the files on disk.
 */
export class Watcher {
  private stateNow: WatcherState = 'idle';
  private fs: FSWatcher | undefined;
  private readonly added: Set<string>;
  /** Key input files of the last cycle; null while the workspace is invalid (then every event counts). */
  private interesting: Set<string> | null = null;
  private current: { abort: AbortController; done: Promise<void> } | undefined;
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  /**
   * The signature each file had when last read by a cycle (or last reported): what a recheck
   * compares with, so a write caught half-way (truncated, then written) is not mistaken for a
   * second change once the cycle has read the finished file.
   */
  private readonly seenAt = new Map<string, string>();

  constructor(
    private readonly root: string,
    private readonly cycles: WatchCycles,
    private readonly debounceMs: number,
  ) {
    this.added = new Set(recoveryWatchList(root));
  }

  get state(): WatcherState {
    return this.stateNow;
  }

  /** Starts watching and runs the first cycle. */
  async start(): Promise<void> {
    const { watch } = await import('chokidar');
    const fs = watch(recoveryWatchList(this.root), { ignoreInitial: true, persistent: true });
    this.fs = fs;
    fs.on('all', (_event, path) => {
      if (this.interesting === null || this.interesting.has(path)) this.relevantChange(path);
    });
    await new Promise<void>((resolve) => fs.once('ready', () => resolve()));
    this.begin(undefined);
  }

  /** Cancels the cycle in flight, waits for it, and stops watching. */
  async stop(): Promise<void> {
    this.stateNow = 'stopped';
    clearTimeout(this.timer);
    this.current?.abort.abort();
    await this.current?.done;
    await this.fs?.close();
  }

  private begin(trigger: string | undefined): void {
    if (this.stateNow === 'stopped') return;
    this.stateNow = 'building';
    const abort = new AbortController();
    const done = this.cycle(trigger, abort).catch((err: unknown) => {
      this.cycles.internalError(`internal error: ${errorMessage(err)}`);
    });
    this.current = { abort, done };
    void done.then(() => {
      if (this.current?.done !== done) return;
      this.current = undefined;
      if (this.stateNow === 'building') this.stateNow = 'idle';
    });
  }

  private async cycle(trigger: string | undefined, abort: AbortController): Promise<void> {
    // chokidar coalesces a second write that follows the first within ~50 ms, and a file added
    // to the watch list is not watched at once: what changed while this cycle ran is found by
    // comparing file signatures from its start with those at its end.
    const before = signatures(this.interesting ?? listFiles(recoveryWatchList(this.root)));
    for (const [path, sig] of before) this.seenAt.set(path, sig);
    this.setInteresting(await this.cycles.cycle(trigger, abort.signal));
    const after = signatures([...before.keys(), ...(this.interesting ?? [])]);
    const missed = [...after]
      .filter(([path, sig]) => before.has(path) && before.get(path) !== sig)
      .map(([path]) => path);
    if (!abort.signal.aborted) for (const path of missed) this.relevantChange(path);
  }

  private setInteresting(paths: string[] | null): void {
    const before = this.interesting?.size;
    this.interesting = paths ? new Set(paths) : null;
    const dirs = recoveryWatchList(this.root);
    const outside = (paths ?? []).filter((p) => !this.added.has(p) && !dirs.some((dir) => p.startsWith(`${dir}/`)));
    if (outside.length > 0) {
      this.fs?.add(outside);
      for (const p of outside) this.added.add(p);
    }
    if (this.interesting && this.interesting.size !== before) this.cycles.watching(this.interesting.size);
  }

  /** chokidar drops a write that follows another to the same file within ~50 ms: looking again a little later catches it. */
  private relevantChange(path: string): void {
    if (this.stateNow === 'stopped') return;
    this.seenAt.set(path, signatures([path]).get(path)!);
    setTimeout(() => {
      if (this.stateNow !== 'stopped' && signatures([path]).get(path) !== this.seenAt.get(path))
        this.relevantChange(path);
    }, 150).unref();
    this.changed(path);
  }

  private changed(path: string): void {
    this.pending.push(relative(this.root, path) || path);
    this.stateNow = 'settling';
    clearTimeout(this.timer);
    // Cancel the build in flight at once; rebuild when the writes have settled.
    this.current?.abort.abort();
    this.timer = setTimeout(() => {
      const trigger = [...new Set(this.pending)].sort().join(', ');
      this.pending = [];
      const previous = this.current?.done ?? Promise.resolve();
      void previous.then(() => this.begin(trigger));
    }, this.debounceMs);
  }
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
