import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PromotionStatus } from '../src/governance/promotion-status.js';
import { inputDir, inputOf } from './_inputs.js';

/** The promotion record files among a target's srcs: those in the directory of its `promotions` glob, with their bytes. */
export function promotionRecordFiles(
  srcs: Readonly<Record<string, string>>,
  glob: string,
): { file: string; bytes: Buffer }[] {
  const dir = dirname(glob);
  return Object.entries(srcs)
    .filter(([path]) => dirname(path) === dir)
    .map(([file, abs]) => ({ file, bytes: readFileSync(abs) }));
}

/**
 * The status a promotion_status dep wrote, when it says the experiment is promoted; otherwise
 * the refusal. The records themselves are validated there, once, against the qualification
 * built now; consumers (shadow replay, the Alpaca paper session) trust only that verdict.
 */
export function requirePromoted(
  ctx: Parameters<typeof inputDir>[0],
  promotion: string,
  experiment: string,
): PromotionStatus {
  const status = JSON.parse(
    readFileSync(`${inputDir(ctx, promotion)}/promotion/status.json`, 'utf8'),
  ) as PromotionStatus;
  if (status.experiment !== experiment)
    throw new Error(`${promotion} is about ${status.experiment}, not ${experiment}: fix this target's config`);
  if (status.state !== 'promoted' || !status.record)
    throw new Error(
      `refused: ${experiment} is not promoted (${promotion}: ${status.state.replaceAll('_', ' ')}); ${status.next_step}`,
    );
  return status;
}

/**
 * requirePromoted, and the status must be about the very outputs of `label` this action reads
 * (both deps of one build agree; a config that names two different targets does not).
 */
export function requirePromotedOutputs(
  ctx: Parameters<typeof inputDir>[0],
  promotion: string,
  label: string,
): PromotionStatus {
  const status = requirePromoted(ctx, promotion, label);
  if (status.experiment_outputs_digest !== inputOf(ctx, label).outputsDigest)
    throw new Error(
      `${promotion} judged other outputs of ${label} than this session reads: list the same target in both`,
    );
  return status;
}
