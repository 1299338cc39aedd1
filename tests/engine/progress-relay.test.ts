import { BroadcastChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionEvent } from '../../src/engine/scheduling/action-task.js';
import type { ActionKey } from '../../src/engine/keys/digest.js';
import {
  parseJobProgress,
  ProgressRelay,
  type JobProgress,
} from '../../src/engine/scheduling/distributed/progress-relay.js';

const KEY_A = 'a'.repeat(64) as ActionKey;
const KEY_B = 'b'.repeat(64) as ActionKey;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('progress of distributed actions: the worker side relays, the coordinator side parses', () => {
  let relay: ProgressRelay | undefined;
  let sender: BroadcastChannel | undefined;
  afterEach(() => {
    relay?.close();
    sender?.close();
  });
  const send = (key: ActionKey, done: number) =>
    sender!.postMessage({ kind: 'progress', key, label: '//t', done, total: 100, unit: 'steps' } satisfies ActionEvent);

  it('writes the first report at once, then at most one per interval with the latest value, per job', async () => {
    relay = new ProgressRelay(150);
    sender = new BroadcastChannel(relay.channelName);
    const written: Record<string, JobProgress[]> = { a: [], b: [] };
    relay.track(KEY_A, async (p) => void written.a!.push(p));
    relay.track(KEY_B, async (p) => void written.b!.push(p));
    for (let i = 1; i <= 50; i++) send(KEY_A, i);
    send(KEY_B, 7);
    await sleep(50);
    expect(written.a).toEqual([{ done: 1, total: 100, unit: 'steps' }]);
    expect(written.b).toEqual([{ done: 7, total: 100, unit: 'steps' }]);
    await sleep(200);
    expect(written.a!.map((p) => p.done)).toEqual([1, 50]);
  });

  it('an untracked job writes nothing more, and a failed write does not throw', async () => {
    relay = new ProgressRelay(50);
    sender = new BroadcastChannel(relay.channelName);
    let writes = 0;
    relay.track(KEY_A, async () => {
      writes += 1;
      throw new Error('Redis is restarting');
    });
    send(KEY_A, 1);
    send(KEY_A, 2);
    await sleep(20);
    relay.untrack(KEY_A);
    send(KEY_A, 3);
    await sleep(120);
    expect(writes).toBe(1);
  });

  it('accepts only well-formed progress from Redis', () => {
    expect(parseJobProgress({ done: 3, total: 8, unit: 'steps' })).toEqual({ done: 3, total: 8, unit: 'steps' });
    expect(parseJobProgress({ done: 3 })).toEqual({ done: 3 });
    for (const bad of [
      null,
      42,
      'half',
      {},
      { done: 'x' },
      { done: Number.NaN },
      { done: 1, total: '8' },
      { done: 1, unit: 3 },
    ])
      expect(parseJobProgress(bad), JSON.stringify(bad)).toBeNull();
  });
});
