import { build } from '../../engine/build.js';
import { EXIT_FAILURE } from '../../engine/errors.js';
import { holdBuildLock } from '../../engine/locks.js';
import { plainReporter, summaryLine } from '../build-reporter.js';
import type { CliIO } from '../io.js';
import type { GlobalOptions } from '../main.js';
import { openSession } from './open.js';

export async function buildCommand(
  io: CliIO,
  globals: GlobalOptions,
  labels: string[],
  opts: { jobs?: number; keepGoing?: boolean; json?: boolean; tui?: boolean },
): Promise<number> {
  const session = await openSession(io, globals);
  const release = holdBuildLock(session.workspace);
  try {
    const result = await build(session, labels, {
      jobs: opts.jobs,
      keepGoing: opts.keepGoing,
      onEvent: opts.json ? undefined : plainReporter((line) => io.out(line)),
    });
    if (opts.json) {
      const targets = result.actions.map((a) => ({
        label: a.label,
        status: a.status,
        key: a.key ?? null,
        outputs: a.outputs ?? {},
        ...(a.error ? { error: a.error, log: a.logPath ?? null } : {}),
      }));
      io.out(JSON.stringify({ targets, built: result.built, cached: result.cached, failed: result.failed, skipped: result.skipped }));
    } else {
      io.out(summaryLine(result));
    }
    return result.failed > 0 ? EXIT_FAILURE : 0;
  } finally {
    release();
  }
}
