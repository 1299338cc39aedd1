import { describeRepair, type BuildEvent, type BuildResult } from '../engine/scheduling/build-events.js';
import type { ProgressReport } from '../engine/scheduling/action-task.js';

/**
 * The plain build log: one line when an action starts and one when it finishes, no escape
 * codes (CI logs, pipes, --no-tui). Cache hits are counted in the summary, not listed, so a
 * no-op build of ten thousand targets prints one line. While actions run, a heartbeat line per
 * running action every `heartbeatMs` (10 s) says how long it has run and how far it is, so a
 * CI log of a long build never looks hung.
 */
export function plainReporter(
  write: (line: string) => void,
  { heartbeatMs = 10_000, now = Date.now }: { heartbeatMs?: number; now?: () => number } = {},
): (event: BuildEvent) => void {
  const running = new Map<string, { started: number; progress?: ProgressReport }>();
  let timer: NodeJS.Timeout | undefined;
  const heartbeat = () => {
    for (const [label, r] of running)
      write(`RUNNING ${label} (${formatMs(now() - r.started)})${progressText(r, now())}`);
  };
  return (event) => {
    if (event.type === 'start') {
      write(`START   ${event.label}`);
      running.set(event.label, { started: now() });
      timer ??= setInterval(heartbeat, heartbeatMs);
      timer.unref?.();
    } else if (event.type === 'progress') {
      const r = running.get(event.report.label);
      if (r) r.progress = event.report;
    } else if (event.type === 'repair') write(`REPAIR  ${describeRepair(event.repair)}`);
    else if (event.type === 'finish') {
      const r = event.result;
      running.delete(r.label);
      if (running.size === 0 && timer) {
        clearInterval(timer);
        timer = undefined;
      }
      const took = r.durationMs !== undefined ? ` (${formatMs(r.durationMs)})` : '';
      if (r.status === 'built') write(`BUILT   ${r.label}${took}`);
      else if (r.status === 'failed')
        write(
          `FAILED  ${r.label}${took}: ${r.error ?? 'unknown error'}${r.logPath ? `\n        log: ${r.logPath}` : ''}`,
        );
      else if (r.status === 'skipped') write(`SKIPPED ${r.label}`);
      else if (r.remote) write(`REMOTE  ${r.label}`);
    }
  };
}

/** `: 1200/5000 steps (24%), about 40 s left`: the ETA at the pace since the action started. */
function progressText(r: { started: number; progress?: ProgressReport }, nowMs: number): string {
  const p = r.progress;
  if (!p) return '';
  const unit = p.unit ? ` ${p.unit}` : '';
  if (p.total === undefined || p.total <= 0) return `: ${p.done}${unit}`;
  const pct = Math.floor((100 * p.done) / p.total);
  const elapsed = nowMs - r.started;
  const eta =
    p.done > 0 && elapsed > 0 && p.done < p.total
      ? `, about ${formatMs(Math.round((elapsed * (p.total - p.done)) / p.done))} left`
      : '';
  return `: ${p.done}/${p.total}${unit} (${pct}%)${eta}`;
}

export function summaryLine(result: BuildResult): string {
  const total = result.built + result.cached;
  const hit = total > 0 ? ` (cache hit ${Math.round((100 * result.cached) / total)}%)` : '';
  const r = result.remote;
  const remote = r
    ? `; remote cache: ${r.downloaded} downloaded, ${r.uploaded} uploaded${r.fromWorkers ? `, ${r.fromWorkers} result(s) from workers` : ''}${r.corrupt ? `, ${r.corrupt} corrupt object(s) refused` : ''}${r.errors.length ? `, ${r.errors.length} transfer error(s)` : ''}`
    : '';
  return `quanto: ${result.built} built, ${result.cached} cached, ${result.failed} failed, ${result.skipped} skipped${hit} in ${formatMs(result.wallMs)}${remote}`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
