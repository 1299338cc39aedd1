import type { Command } from 'commander';
import type { CommandContext, GlobalOptions } from '../command-context.js';
import { userInfo } from 'node:os';
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../../engine/store/atomic-write.js';
import { build } from '../../engine/scheduling/build.js';
import { ConfigError, EXIT_FAILURE } from '../../engine/errors.js';
import { PROMOTIONS_DIR } from '../../engine/workspace.js';
import { parseDepLabel, type TargetName } from '../../engine/pipeline/label.js';
import { holdBuildLock } from '../../engine/store/locks.js';
import { provenanceOf } from '../../engine/research-integrity/provenance.js';
import type { Session } from '../../engine/session.js';
import { builtResultOf, currentPromotion, evidenceOf, subjectIdOf, type PromotionTier } from '../promotion-evidence.js';
import type { CliIO } from '../io.js';
import { openSession } from './open.js';

function targetOf(session: Session, label: string, what: string): TargetName {
  const name = parseDepLabel(label);
  if (!name || !session.pipeline.targets.has(name))
    throw new ConfigError(`${what} ${label} is not a target in quanto.pipeline.yaml`);
  return name;
}

/**
 * quanto promote //experiments/<id> --tier candidate|production --reason "...": builds the
 * experiment and its qualification (//qualification/<id>), refuses when a hard gate failed,
 * and for production also without a candidate record of these very outputs and a built
 * shadow replay (//shadow/<id>). The record holds the tier, the reason, who and when, the
 * qualification report's digest and the provenance chain down to the raw sources; its keys
 * are roots for `quanto gc`.
 */
export async function promoteCommand(
  io: CliIO,
  globals: GlobalOptions,
  label: string,
  opts: { tier: string; reason: string },
): Promise<number> {
  if (opts.tier !== 'candidate' && opts.tier !== 'production')
    throw new ConfigError(`--tier must be candidate or production, got '${opts.tier}'`);
  if (!opts.reason || opts.reason.trim() === '')
    throw new ConfigError('--reason is required: say why this is promoted');
  const tier: PromotionTier = opts.tier;
  const session = await openSession(io, globals);
  const experiment = targetOf(session, label, 'the experiment');
  const id = subjectIdOf(experiment);
  const qualification = targetOf(session, `//qualification/${id}`, 'its qualification');
  const shadowName = parseDepLabel(`//shadow/${id}`)!;
  const wantShadow = tier === 'production';
  if (wantShadow && !session.pipeline.targets.has(shadowName)) {
    io.err(
      `quanto promote: refused: production requires a shadow replay, and there is no //shadow/${id} in quanto.pipeline.yaml`,
    );
    return EXIT_FAILURE;
  }
  const release = holdBuildLock(session.workspace);
  try {
    const labels = [`//${experiment}`, `//${qualification}`, ...(wantShadow ? [`//${shadowName}`] : [])];
    const result = await build(session, labels, { jobs: 0 });
    session.save();
    const evidence = evidenceOf(session, result.actions, experiment, qualification, tier);
    const exp = builtResultOf(result.actions, experiment, 'promotion needs it');
    const { report, reportDigest } = evidence;
    if (report.candidate !== `//${experiment}`)
      throw new ConfigError(
        `//${qualification} qualifies ${report.candidate}, not //${experiment}: fix its gate config`,
      );
    if (!report.passed) {
      io.err(`quanto promote: refused: //${experiment} did not pass qualification; failed hard gates:`);
      for (const g of report.hard.filter((x) => !x.pass)) io.err(`  ${g.name}: ${g.reason}`);
      return EXIT_FAILURE;
    }
    let shadow: { label: string; key: string; outputs_digest: string } | undefined;
    if (wantShadow) {
      if (!currentPromotion(session, { ...evidence, tier: 'candidate' }, id)) {
        io.err(
          `quanto promote: refused: production requires a prior candidate record of these outputs (${exp.outputsDigest.slice(0, 12)}) on the qualification built now; promote to candidate first`,
        );
        return EXIT_FAILURE;
      }
      const s = builtResultOf(result.actions, shadowName, 'production needs its shadow replay');
      shadow = { label: s.label, key: s.key, outputs_digest: s.outputsDigest };
    }
    const promotedAt = new Date().toISOString();
    const record = {
      format: 'quanto-promotion/1',
      tier,
      experiment: `//${experiment}`,
      experiment_key: exp.key,
      experiment_outputs_digest: exp.outputsDigest,
      reason: opts.reason,
      promoted_by: process.env.QUANTO_USER ?? userInfo().username,
      promoted_at: promotedAt,
      qualification: {
        label: `//${qualification}`,
        key: evidence.qualificationKey,
        report_digest: reportDigest,
        passed: true,
        trials: report.trials.count,
      },
      ...(shadow ? { shadow } : {}),
      provenance: provenanceOf(session, experiment, result.actions),
    };
    const file = join(
      session.workspace.root,
      PROMOTIONS_DIR,
      tier,
      id,
      `${promotedAt.replaceAll(':', '-')}-${exp.outputsDigest.slice(0, 12)}.json`,
    );
    writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
    io.out(`promoted //${experiment} to ${tier}: ${relative(session.workspace.root, file)}`);
    return 0;
  } finally {
    release();
  }
}

/** Registers `quanto promote`. */
export function registerPromoteCommand(program: Command, ctx: CommandContext): void {
  program
    .command('promote')
    .description(
      'record that an experiment or a strategy backtest passed its qualification and is promoted to a tier (promotions/<tier>/)',
    )
    .argument(
      '<experiment>',
      'the experiment target, //experiments/<id>, or a strategy backtest, //backtests/<id>; its gates are //qualification/<id>',
    )
    .requiredOption('--tier <tier>', 'candidate, or production (which needs a candidate record and //shadow/<id>)')
    .requiredOption('--reason <text>', 'why: kept in the record')
    .action(
      ctx.run((label: string, opts: { tier: string; reason: string }) =>
        promoteCommand(ctx.io, ctx.globals(), label, opts),
      ),
    );
}
