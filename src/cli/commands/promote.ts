import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../../engine/atomic-write.js';
import { build, type ActionResult } from '../../engine/build.js';
import { ConfigError, EXIT_FAILURE } from '../../engine/errors.js';
import { PROMOTIONS_DIR } from '../../engine/gc.js';
import { parseDepLabel, type TargetName } from '../../engine/label.js';
import { holdBuildLock } from '../../engine/locks.js';
import { provenanceOf } from '../../engine/provenance.js';
import type { Session } from '../../engine/session.js';
import type { QualificationReport } from '../../governance/qualify.js';
import type { CliIO } from '../io.js';
import type { GlobalOptions } from '../main.js';
import { openSession } from './open.js';

export type PromotionTier = 'candidate' | 'production';

const REPORT = 'promotion/qualification_report.json';

/** The promotion records of an experiment at a tier, oldest first (names start with the time). */
export function promotionRecords(root: string, tier: PromotionTier, experiment: string): { path: string; record: { experiment_outputs_digest: string } }[] {
  const dir = join(root, PROMOTIONS_DIR, tier, experiment);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ path: join(dir, f), record: JSON.parse(readFileSync(join(dir, f), 'utf8')) as { experiment_outputs_digest: string } }));
}

function targetOf(session: Session, label: string, what: string): TargetName {
  const name = parseDepLabel(label);
  if (!name || !session.pipeline.targets.has(name)) throw new ConfigError(`${what} ${label} is not a target in quanto.pipeline.yaml`);
  return name;
}

function resultOf(results: readonly ActionResult[], name: TargetName): ActionResult & { key: string; outputsDigest: string } {
  const r = results.find((a) => a.target === name);
  if (!r || r.status === 'failed' || r.status === 'skipped' || !r.key || !r.outputsDigest) throw new Error(`//${name} did not build${r?.error ? `: ${r.error}` : ''}; promotion needs it`);
  return r as ActionResult & { key: string; outputsDigest: string };
}

/**
 * quanto promote //experiments/<id> --tier candidate|production --reason "...": builds the
 * experiment and its qualification (//qualification/<id>), refuses when a hard gate failed,
 * and for production also without a candidate record of these very outputs and a built
 * shadow replay (//shadow/<id>). The record holds the tier, the reason, who and when, the
 * qualification report's digest and the provenance chain down to the raw sources; its keys
 * are roots for `quanto gc`.
 */
export async function promoteCommand(io: CliIO, globals: GlobalOptions, label: string, opts: { tier: string; reason: string }): Promise<number> {
  if (opts.tier !== 'candidate' && opts.tier !== 'production') throw new ConfigError(`--tier must be candidate or production, got '${opts.tier}'`);
  if (!opts.reason || opts.reason.trim() === '') throw new ConfigError('--reason is required: say why this is promoted');
  const tier: PromotionTier = opts.tier;
  const session = await openSession(io, globals);
  const experiment = targetOf(session, label, 'the experiment');
  const id = experiment.split('/').slice(1).join('/') || experiment;
  const qualification = targetOf(session, `//qualification/${id}`, 'its qualification');
  const shadowName = parseDepLabel(`//shadow/${id}`)!;
  const wantShadow = tier === 'production';
  if (wantShadow && !session.pipeline.targets.has(shadowName)) {
    io.err(`quanto promote: refused: production requires a shadow replay, and there is no //shadow/${id} in quanto.pipeline.yaml`);
    return EXIT_FAILURE;
  }
  const release = holdBuildLock(session.workspace);
  try {
    const labels = [`//${experiment}`, `//${qualification}`, ...(wantShadow ? [`//${shadowName}`] : [])];
    const result = await build(session, labels, { jobs: 0 });
    session.save();
    const exp = resultOf(result.actions, experiment);
    const qual = resultOf(result.actions, qualification);
    const reportDigest = qual.outputs?.[REPORT];
    if (!reportDigest) throw new Error(`//${qualification} has no ${REPORT}: is its rule 'qualification'?`);
    const report = JSON.parse(readFileSync(session.cas.pathOf(reportDigest), 'utf8')) as QualificationReport;
    if (report.candidate !== `//${experiment}`) throw new ConfigError(`//${qualification} qualifies ${report.candidate}, not //${experiment}: fix its gate config`);
    if (!report.passed) {
      io.err(`quanto promote: refused: //${experiment} did not pass qualification; failed hard gates:`);
      for (const g of report.hard.filter((x) => !x.pass)) io.err(`  ${g.name}: ${g.reason}`);
      return EXIT_FAILURE;
    }
    let shadow: { label: string; key: string; outputs_digest: string } | undefined;
    if (wantShadow) {
      const candidates = promotionRecords(session.workspace.root, 'candidate', id).filter((r) => r.record.experiment_outputs_digest === exp.outputsDigest);
      if (candidates.length === 0) {
        io.err(`quanto promote: refused: production requires a prior candidate record of these outputs (${exp.outputsDigest.slice(0, 12)}); promote to candidate first`);
        return EXIT_FAILURE;
      }
      const s = resultOf(result.actions, shadowName);
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
      qualification: { label: `//${qualification}`, key: qual.key, report_digest: reportDigest, passed: true, trials: report.trials.count },
      ...(shadow ? { shadow } : {}),
      provenance: provenanceOf(session, experiment, result.actions),
    };
    const file = join(session.workspace.root, PROMOTIONS_DIR, tier, id, `${promotedAt.replaceAll(':', '-')}-${exp.outputsDigest.slice(0, 12)}.json`);
    writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
    io.out(`promoted //${experiment} to ${tier}: ${relative(session.workspace.root, file)}`);
    return 0;
  } finally {
    release();
  }
}
