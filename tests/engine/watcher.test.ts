import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Watcher, type WatcherState } from '../../src/engine/incremental/watcher.js';
import { TestWorkspace } from '../helpers/workspace.js';

/**
 * Waits until `check` holds, polling, and calls `poke` every second meanwhile: on a loaded
 * machine the file-system event of one write can come late, and writing again (another value)
 * is what an editor does anyway.
 */
async function until(check: () => boolean, what: string, poke?: () => void, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  let nextPoke = Date.now() + 1000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    if (poke && Date.now() > nextPoke) {
      poke();
      nextPoke = Date.now() + 1000;
    }
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

    let value = 1;
    const edit = () => writeFileSync(config, `x: ${++value}\n`);
    edit();
    await until(() => cycles.length >= 2, 'the cycle of the first change', edit);
    expect(cycles[1]!.trigger).toBe('configs/a.yaml');
    states.push(watcher.state);
    // A change during that cycle aborts it; the next starts when the writes are quiet.
    edit();
    await until(() => cycles[1]!.aborted || cycles.length >= 3, 'the change to abort the cycle in flight', edit);
    await until(() => cycles.length >= 3 && watcher!.state === 'idle', 'the cycle after the abort');
    expect(cycles[1]!.aborted).toBe(true);
    expect(cycles[2]!.trigger).toBe('configs/a.yaml');
    // Building, unless a late event of an earlier write has already put it back to settling.
    expect(['building', 'settling']).toContain(states[0]);
    release?.();

    await watcher.stop();
    expect(watcher.state).toBe('stopped');
    const settled = cycles.length;
    writeFileSync(config, 'x: 4\n');
    await new Promise((r) => setTimeout(r, 200));
    expect(cycles).toHaveLength(settled);
  });
});
