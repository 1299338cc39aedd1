import { BroadcastChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionEvent, ActionOutcome, ActionTask } from '../../src/engine/scheduling/action-task.js';
import { build } from '../../src/engine/scheduling/build.js';
import { type BuildEvent } from '../../src/engine/scheduling/build-events.js';
import { InlineExecutor, type Executor } from '../../src/engine/scheduling/executor.js';
import { Session } from '../../src/engine/session.js';
import { smallWorkspace } from '../helpers/fixtures.js';
import type { TestWorkspace } from '../helpers/workspace.js';

/**
 * An executor that, like a distributed queue, holds each action a while before "a worker takes
 * it", says so on the task's event channel, then runs it on the calling thread.
 */
class QueueLikeExecutor implements Executor {
  readonly reportsStart = true;
  private readonly inner = new InlineExecutor();
  readonly startedAt = new Map<string, number>();
  /** `late`: the start arrives after the result, as a job's 'active' event may behind its completion. */
  constructor(
    private readonly queuedMs: number,
    private readonly late = false,
  ) {}

  async run(task: ActionTask): Promise<ActionOutcome> {
    await new Promise((r) => setTimeout(r, this.queuedMs));
    const channel = new BroadcastChannel(task.eventChannel!);
    const announce = () => {
      this.startedAt.set(task.label, Date.now());
      channel.postMessage({ kind: 'started', key: task.key, label: task.label } satisfies ActionEvent);
      channel.close();
    };
    if (this.late) {
      const outcome = await this.inner.run(task);
      setTimeout(announce, 0);
      return outcome;
    }
    announce();
    await new Promise((r) => setTimeout(r, 20)); // the worker fetches its inputs
    return this.inner.run(task);
  }

  async close(): Promise<void> {}
}

describe('start events from an executor that queues', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('the scheduler leaves the start to the executor: each action starts once, when taken, not when queued', async () => {
    ws = smallWorkspace();
    const session = await Session.open(ws.root);
    const executor = new QueueLikeExecutor(150);
    const events: { at: number; event: BuildEvent }[] = [];
    const result = await build(session, ['//...'], {
      jobs: 4,
      executor,
      onEvent: (event) => events.push({ at: Date.now(), event }),
    });
    expect(result.failed).toBe(0);
    const starts = events.filter((e) => e.event.type === 'start');
    expect(starts.map((e) => (e.event as { label: string }).label).sort()).toEqual(
      [...executor.startedAt.keys()].sort(),
    );
    expect(starts).toHaveLength(result.built);
    for (const s of starts)
      expect(s.at).toBeGreaterThanOrEqual(executor.startedAt.get((s.event as { label: string }).label)!);
  });

  it('a start that arrives after the result is dropped: a finished action is never drawn as running again', async () => {
    ws = smallWorkspace();
    const session = await Session.open(ws.root);
    const executor = new QueueLikeExecutor(10, true);
    const events: BuildEvent[] = [];
    const result = await build(session, ['//...'], { jobs: 4, executor, onEvent: (event) => events.push(event) });
    expect(result.built).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(executor.startedAt.size).toBe(result.built);
    expect(events.filter((e) => e.type === 'start')).toEqual([]);
  });

  it('an executor that does not report starts gets them from the scheduler, as before', async () => {
    ws = smallWorkspace();
    const session = await Session.open(ws.root);
    const events: BuildEvent[] = [];
    const result = await build(session, ['//...'], { jobs: 0, onEvent: (event) => events.push(event) });
    expect(events.filter((e) => e.type === 'start')).toHaveLength(result.built);
  });
});
