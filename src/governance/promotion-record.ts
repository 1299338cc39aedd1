import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { QualificationReport } from './qualify.js';
import { targetLabelSchema } from '../data/schemas/target-label.js';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 (64 lowercase hex digits)');

/**
 * A promotion record, as `quanto promote` writes it (promotions/<tier>/<id>/*.json). Strict:
 * a record is a person's signed-off decision, and a file that only looks like one (a field
 * missing, a field added by hand) is not taken on its word.
 */
export const promotionRecordSchema = z
  .object({
    format: z.literal('quanto-promotion/1'),
    tier: z.enum(['candidate', 'production']),
    experiment: targetLabelSchema,
    experiment_key: sha256Hex,
    experiment_outputs_digest: sha256Hex,
    reason: z.string().min(1),
    promoted_by: z.string().min(1),
    promoted_at: z.iso.datetime(),
    qualification: z
      .object({
        label: targetLabelSchema,
        key: sha256Hex,
        /** The qualification report the decision was taken on: it must be the one built now for these outputs. */
        report_digest: sha256Hex,
        passed: z.literal(true),
        trials: z.number().int().positive(),
      })
      .strict(),
    shadow: z.object({ label: targetLabelSchema, key: sha256Hex, outputs_digest: sha256Hex }).strict().optional(),
    provenance: z.array(
      z
        .object({
          label: targetLabelSchema,
          key: sha256Hex,
          outputs_digest: sha256Hex,
          deps: z.record(z.string(), sha256Hex),
          srcs: z.record(z.string(), sha256Hex),
        })
        .strict(),
    ),
  })
  .strict()
  .refine((r) => r.tier !== 'production' || r.shadow !== undefined, {
    message: 'a production record names the shadow replay it was promoted on',
    path: ['shadow'],
  });

export type PromotionRecord = z.infer<typeof promotionRecordSchema>;

export interface PromotionRecordFile {
  file: string;
  record: PromotionRecord;
  /** Of the file's bytes: what consumers cite, so a record edited afterwards is a different record. */
  sha256: string;
}

/** Parses and validates one record file; malformed JSON or a wrong shape is an error naming the file and saying what to do. */
export function parsePromotionRecord(file: string, bytes: Buffer): PromotionRecordFile {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new PromotionRecordError(
      `${file}: not valid JSON (${(err as Error).message}); restore it from version control or delete it`,
    );
  }
  const result = promotionRecordSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map(
      (i) =>
        `${i.path.join('.') || '(root)'}: ${i.message}${i.code === 'unrecognized_keys' ? ` (${i.keys.join(', ')})` : ''}`,
    );
    throw new PromotionRecordError(
      `${file}: not a promotion record (${issues.join('; ')}); records are written by quanto promote: restore it from version control or delete it`,
    );
  }
  return { file, record: result.data, sha256: createHash('sha256').update(bytes).digest('hex') };
}

export class PromotionRecordError extends Error {
  override name = 'PromotionRecordError';
}

/** What a record is checked against: the experiment's outputs and its qualification as built now. */
export interface PromotionEvidence {
  experiment: string;
  tier: 'candidate' | 'production';
  outputsDigest: string;
  /** Digest of the qualification report built now for these outputs, and the report. */
  reportDigest: string;
  report: QualificationReport;
}

/**
 * Why a record does not promote these outputs at this tier, or null when it does. A record
 * covers outputs only together with the qualification it cites: the report built now for
 * them must be the very report the record names, and it must have passed. A hand-written
 * record with the right outputs digest fails here, and so does a real one whose evidence
 * changed since (a new trial in the family deflates the Sharpe ratio differently).
 */
export function whyNotCovering(r: PromotionRecord, e: PromotionEvidence): string | null {
  if (r.experiment !== e.experiment) return `it promotes ${r.experiment}, not ${e.experiment}`;
  if (r.tier !== e.tier) return `it is a ${r.tier} record, not ${e.tier}`;
  if (r.experiment_outputs_digest !== e.outputsDigest)
    return `it promotes other outputs (${r.experiment_outputs_digest.slice(0, 12)}, now ${e.outputsDigest.slice(0, 12)})`;
  if (!e.report.passed || e.report.candidate !== e.experiment)
    return `the qualification built now does not pass ${e.experiment}`;
  if (r.qualification.report_digest !== e.reportDigest)
    return `it cites qualification report ${r.qualification.report_digest.slice(0, 12)}, but the report built now for these outputs is ${e.reportDigest.slice(0, 12)}`;
  return null;
}

/** The newest record (by file name, which begins with its time) that covers the evidence, if any. */
export function coveringRecord(
  records: readonly PromotionRecordFile[],
  e: PromotionEvidence,
): PromotionRecordFile | undefined {
  return [...records]
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    .filter((r) => whyNotCovering(r.record, e) === null)
    .at(-1);
}
