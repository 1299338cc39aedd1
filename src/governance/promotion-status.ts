import { parsePromotionRecord, whyNotCovering } from './promotion-record.js';
import type { QualificationReport } from './qualify.js';

export type PromotionState = 'promoted' | 'qualified_not_promoted' | 'not_qualified';

export interface PromotionStatus {
  experiment: string;
  experiment_outputs_digest: string;
  tier: 'candidate' | 'production';
  state: PromotionState;
  qualified: boolean;
  failed_hard_gates: { name: string; reason: string }[];
  /** The record that promotes exactly these outputs (the newest, when there are several). */
  record: { file: string; sha256: string; reason: string; promoted_by: string; promoted_at: string } | null;
  /** Records of this experiment and tier that do not cover it now, and why (earlier outputs, other qualification evidence). */
  stale_records: { file: string; experiment_outputs_digest: string; why: string }[];
  next_step: string;
}

/**
 * Where an experiment stands at a promotion tier: whether its qualification passed, whether a
 * record promotes its current outputs, and what a person does next. Records are a human act
 * (`quanto promote`), so this never promotes anything itself; it is the evidence either way.
 */
export function promotionStatus(input: {
  experiment: string;
  outputsDigest: string;
  tier: 'candidate' | 'production';
  report: QualificationReport;
  /** Digest of the report's bytes (as built now): a record must cite this very report. */
  reportDigest: string;
  records: readonly { file: string; bytes: Buffer }[];
}): PromotionStatus {
  const { experiment, outputsDigest, tier, report } = input;
  const evidence = { experiment, tier, outputsDigest, reportDigest: input.reportDigest, report };
  const parsed = [...input.records]
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    .map(({ file, bytes }) => parsePromotionRecord(file, bytes))
    .filter((r) => r.record.experiment === experiment && r.record.tier === tier)
    .map((r) => ({ ...r, why: whyNotCovering(r.record, evidence) }));
  const current = parsed.filter((r) => r.why === null).at(-1);
  const failed = report.hard.filter((g) => !g.pass).map((g) => ({ name: g.name, reason: g.reason }));
  const qualified = report.passed && report.candidate === experiment;
  const state: PromotionState = current ? 'promoted' : qualified ? 'qualified_not_promoted' : 'not_qualified';
  const next_step =
    state === 'promoted'
      ? `promoted to ${tier}; the shadow replay and paper sessions may run it`
      : state === 'qualified_not_promoted'
        ? `qualified: a person promotes it with quanto promote ${experiment} --tier ${tier} --reason "..."`
        : `not qualified (${failed.map((g) => g.name).join(', ') || `the report qualifies ${report.candidate}`}): change the research, not the gates`;
  return {
    experiment,
    experiment_outputs_digest: outputsDigest,
    tier,
    state,
    qualified,
    failed_hard_gates: failed,
    record: current
      ? {
          file: current.file,
          sha256: current.sha256,
          reason: current.record.reason,
          promoted_by: current.record.promoted_by,
          promoted_at: current.record.promoted_at,
        }
      : null,
    stale_records: parsed
      .filter((r) => r.why !== null)
      .map((r) => ({ file: r.file, experiment_outputs_digest: r.record.experiment_outputs_digest, why: r.why! })),
    next_step,
  };
}
