import { BroadcastChannel, threadId } from 'node:worker_threads';
import type { ActionEvent, ActionOutcome, ActionTask } from './action-task.js';
import { setThreadTag } from '../store/atomic-write.js';
import { runAction } from './run-action.js';

setThreadTag(threadId);

const channels = new Map<string, BroadcastChannel>();

/** piscina's entry point: one call per action. */
export default async function runTask(task: ActionTask): Promise<ActionOutcome> {
  let onEvent: ((e: ActionEvent) => void) | undefined;
  if (task.eventChannel) {
    let channel = channels.get(task.eventChannel);
    if (!channel) {
      channel = new BroadcastChannel(task.eventChannel);
      channel.unref();
      channels.set(task.eventChannel, channel);
    }
    const open = channel;
    onEvent = (e) => open.postMessage(e);
  }
  return runAction(task, onEvent);
}
