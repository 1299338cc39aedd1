import { BroadcastChannel, threadId } from 'node:worker_threads';
import type { ActionOutcome, ActionTask, ProgressReport } from './action-task.js';
import { setThreadTag } from './atomic-write.js';
import { runAction } from './run-action.js';

setThreadTag(threadId);

const channels = new Map<string, BroadcastChannel>();

/** piscina's entry point: one call per action. */
export default async function runTask(task: ActionTask): Promise<ActionOutcome> {
  let onProgress: ((p: ProgressReport) => void) | undefined;
  if (task.progressChannel) {
    let channel = channels.get(task.progressChannel);
    if (!channel) {
      channel = new BroadcastChannel(task.progressChannel);
      channel.unref();
      channels.set(task.progressChannel, channel);
    }
    const open = channel;
    onProgress = (p) => open.postMessage(p);
  }
  return runAction(task, onProgress);
}
