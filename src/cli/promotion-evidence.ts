import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type ActionResult } from '../engine/scheduling/build-events.js';
import { ConfigError } from '../engine/errors.js';
import { PROMOTIONS_DIR } from '../engine/workspace.js';
import type { TargetName } from '../engine/pipeline/label.js';
import { matrixBaseOf } from '../engine/pipeline/matrix-point.js';
import type { Session } from '../engine/session.js';
import {
  coveringRecord,
  parsePromotionRecord,
  PromotionRecordError,
  type PromotionEvidence,
  type PromotionRecordFile,
} from '../governance/promotion-record.js';
import type { QualificationReport } from '../governance/qualify.js';

export type PromotionTier = 'candidate' | 'production';

export const QUALIFICATION_REPORT = 'promotion/qualification_report.json';

/**
 * The id a subject's qualification, shadow replay and promotion records go by: its name less
 * the kind (`experiments/core_v1_ppo` → `core_v1_ppo`), and for a matrix point its matrix's
 * (`experiments/core_v1_ppo@seed=1` → `core_v1_ppo`: the points are trials of one idea, qualified together).
 */
export function subjectIdOf(name: TargetName): string {
  const base = matrixBaseOf(name);
  return base.split('/').slice(1).join('/') || base;
}

/**
 * The promotion records of an experiment at a tier, oldest first (names start with the time),
 * each validated; a malformed one is a usage error (exit 2) naming the file.
 */
export function promotionRecords(root: string, tier: PromotionTier, experimentId: string): PromotionRecordFile[] {
  const dir = join(root, PROMOTIONS_DIR, tier, experimentId);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      try {
        return parsePromotionRecord(relative(root, join(dir, f)), readFileSync(join(dir, f)));
      } catch (err) {
        if (err instanceof PromotionRecordError) throw new ConfigError(err.message);
        throw err;
      }
    });
}

/** A built target's result, or an error saying it did not build. */
export function builtResultOf(
  results: readonly ActionResult[],
  name: TargetName,
  why: string,
): ActionResult & { key: string; outputsDigest: string } {
  const r = results.find((a) => a.target === name);
  if (!r || r.status === 'failed' || r.status === 'skipped' || !r.key || !r.outputsDigest)
    throw new Error(`//${name} did not build${r?.error ? `: ${r.error}` : ''}; ${why}`);
  return r as ActionResult & { key: string; outputsDigest: string };
}

/** The evidence a record must match, from a build of the experiment and its qualification just now. */
export function evidenceOf(
  session: Session,
  results: readonly ActionResult[],
  experiment: TargetName,
  qualification: TargetName,
  tier: PromotionTier,
): PromotionEvidence & { qualificationKey: string } {
  const exp = builtResultOf(results, experiment, 'promotion needs it');
  const qual = builtResultOf(results, qualification, 'promotion needs it');
  const reportDigest = qual.outputs?.[QUALIFICATION_REPORT];
  if (!reportDigest) throw new Error(`//${qualification} has no ${QUALIFICATION_REPORT}: is its rule 'qualification'?`);
  const report = JSON.parse(readFileSync(session.cas.pathOf(reportDigest), 'utf8')) as QualificationReport;
  return {
    experiment: `//${experiment}`,
    tier,
    outputsDigest: exp.outputsDigest,
    reportDigest,
    report,
    qualificationKey: qual.key,
  };
}

/** The record that promotes the experiment's current outputs at a tier on the qualification built now, if one does. */
export function currentPromotion(
  session: Session,
  evidence: PromotionEvidence,
  experimentId: string,
): PromotionRecordFile | undefined {
  return coveringRecord(promotionRecords(session.workspace.root, evidence.tier, experimentId), evidence);
}
