import type { Command } from 'commander';
import { jobsOption, type CommandContext, type GlobalOptions } from '../command-context.js';
import { describeBlobProblem } from '../../engine/store/cas.js';
import { EXIT_FAILURE } from '../../engine/errors.js';
import { holdBuildLock } from '../../engine/store/locks.js';
import { verify } from '../../engine/research-integrity/verify.js';
import type { CliIO } from '../io.js';
import { openRemoteCache } from '../remote-cache.js';
import { openSession } from './open.js';

export async function verifyCommand(
  io: CliIO,
  globals: GlobalOptions,
  labels: string[],
  opts: { jobs?: number; json?: boolean; remoteCache?: string },
): Promise<number> {
  const session = await openSession(io, globals);
  // Only an explicit --remote-cache compares: a configured cache is for builds.
  const remote = opts.remoteCache
    ? await openRemoteCache(session.pipeline.remoteCache, { remoteCache: opts.remoteCache, remoteUpload: false })
    : undefined;
  const release = holdBuildLock(session.workspace);
  try {
    const result = await verify(session, labels, { jobs: opts.jobs }, remote);
    const ok =
      result.mismatches.length === 0 &&
      result.damaged.length === 0 &&
      result.failures.length === 0 &&
      (result.remote?.mismatches.length ?? 0) === 0;
    if (opts.json) {
      io.out(
        JSON.stringify({
          ok,
          checked: result.checked,
          damaged: result.damaged,
          mismatches: result.mismatches,
          failures: result.failures.map((f) => ({ label: f.label, error: f.error })),
          ...(result.remote ? { remote: result.remote } : {}),
        }),
      );
    } else {
      for (const m of result.mismatches) {
        io.out(
          `MISMATCH ${m.label} ${m.output}: workspace ${m.workspace ?? '(absent)'} clean ${m.clean ?? '(absent)'}`,
        );
      }
      for (const d of result.damaged) {
        io.out(
          `DAMAGED  ${d.label} ${d.output}: blob ${d.digest} ${describeBlobProblem(d.problem)}; removed from the cache, so the next build rebuilds it`,
        );
      }
      for (const m of result.remote?.mismatches ?? []) {
        io.out(`MISMATCH ${m.label} ${m.output}: remote ${m.remote ?? '(absent)'} clean ${m.clean ?? '(absent)'}`);
      }
      if (result.remote)
        io.out(
          `quanto verify: ${result.remote.checked} actions compared with the remote cache ${result.remote.description} (${result.remote.absent} not there), ${result.remote.mismatches.length} output(s) differ`,
        );
      for (const f of result.failures) io.out(`FAILED   ${f.label}: ${f.error ?? ''}`);
      io.out(
        ok
          ? `quanto verify: ${result.checked} actions rebuilt from scratch, every output bit-identical`
          : `quanto verify: ${result.mismatches.length + (result.remote?.mismatches.length ?? 0)} output(s) differ, ${result.damaged.length} damaged in the cache, ${result.failures.length} failure(s) in ${result.checked} actions`,
      );
    }
    return ok ? 0 : EXIT_FAILURE;
  } finally {
    release();
    remote?.store.close();
  }
}

/** Registers `quanto verify`. */
export function registerVerifyCommand(program: Command, ctx: CommandContext): void {
  program
    .command('verify')
    .description('rebuild from scratch in an empty cache and compare every output digest')
    .argument('[labels...]', 'labels or patterns', ['//...'])
    .addOption(jobsOption())
    .option('--json', 'machine-readable')
    .option('--remote-cache <url>', 'also compare the clean rebuild with this remote cache (s3://bucket/prefix)')
    .action(
      ctx.run((labels: string[], opts: { jobs?: number; json?: boolean; remoteCache?: string }) =>
        verifyCommand(ctx.io, ctx.globals(), labels, opts),
      ),
    );
}
