/**
 * QUANTO_TRACE=1 prints how long each phase of a command took, on stderr: where the time of a
 * slow no-op or incremental build goes, without a profiler.
 */
const enabled = Boolean(process.env.QUANTO_TRACE);
let last = performance.now();

export function tracePhase(name: string): void {
  if (!enabled) return;
  const now = performance.now();
  process.stderr.write(
    `quanto trace: ${name.padEnd(28)} ${(now - last).toFixed(1).padStart(7)} ms (at ${now.toFixed(0)} ms)\n`,
  );
  last = now;
}
