import { describeRepair, type BuildEvent, type BuildResult } from '../engine/scheduling/build-events.js';

/**
 * The plain build log: one line when an action starts and one when it finishes, no escape
 * codes (CI logs, pipes, --no-tui). Cache hits are counted in the summary, not listed, so a
 * no-op build of ten thousand targets prints one line.
 */
export function plainReporter(write: (line: string) => void): (event: BuildEvent) => void {
  return (event) => {
    if (event.type === 'start') write(`START   ${event.label}`);
    else if (event.type === 'repair') write(`REPAIR  ${describeRepair(event.repair)}`);
    else if (event.type === 'finish') {
      const r = event.result;
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
