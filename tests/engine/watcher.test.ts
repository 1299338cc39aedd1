import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Watcher, type WatcherState } from '../../src/engine/incremental/watcher.js';
import { TestWorkspace } from '../helpers/workspace.js';

/** Waits until `check` holds, polling (file events arrive when the OS delivers them). */
async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the watcher: explicit states, a change cancels the cycle in flight and starts one after the quiet time', () => {
  let ws: TestWorkspace;
  let watcher: Watcher | undefined;
  afterEach(async () => {
    await watcher?.stop();
    ws?.dispose();
  });

  it('idle → building → idle; a change while building → settling (the cycle aborted) → building; stop → stopped', async () => {
    ws = new TestWorkspace({ 'quanto.pipeline.yaml': 'targets: {}\n', 'configs/a.yaml': 'x: 1\n' });
    const config = ws.path('configs/a.yaml');
    const cycles: { trigger: string | undefined; aborted: boolean }[] = [];
    let release: (() => void) | undefined;
    const states: WatcherState[] = [];
    watcher = new Watcher(
      ws.root,
      {
        async cycle(trigger, signal) {
          const entry = { trigger, aborted: false };
          cycles.push(entry);
          // The second cycle waits to be released or aborted, like a long build.
          if (cycles.length === 2) {
            await new Promise<void>((resolve) => {
              release = resolve;
              signal.addEventListener('abort', () => resolve(), { once: true });
            });
          }
          entry.aborted = signal.aborted;
          return [config];
        },
        watching: () => {},
        internalError: (m) => {
          throw new Error(m);
        },
      },
      20,
    );
    expect(watcher.state).toBe('idle');
    await watcher.start();
    await until(() => cycles.length === 1 && watcher!.state === 'idle', 'the first cycle');
    expect(cycles[0]!.trigger).toBeUndefined();

    writeFileSync(config, 'x: 2\n');
    await until(() => cycles.length === 2, 'the cycle of the first change');
    expect(cycles[1]!.trigger).toBe('configs/a.yaml');
    states.push(watcher.state);
    // A change during that cycle aborts it; the next starts when the writes are quiet.
    writeFileSync(config, 'x: 3\n');
    await until(() => watcher!.state === 'settling' || cycles.length === 3, 'the change to be seen');
    await until(() => cycles.length === 3 && watcher!.state === 'idle', 'the cycle after the abort');
    expect(cycles[1]!.aborted).toBe(true);
    expect(cycles[2]!.trigger).toBe('configs/a.yaml');
    expect(states).toEqual(['building']);
    release?.();

    await watcher.stop();
    expect(watcher.state).toBe('stopped');
    writeFileSync(config, 'x: 4\n');
    await new Promise((r) => setTimeout(r, 200));
    expect(cycles).toHaveLength(3);
  });
});
