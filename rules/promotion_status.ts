import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { defineRule } from '../src/engine/rule-api.js';
import { inputOf } from './_inputs.js';
import { promotionStatus } from '../src/governance/promotion-status.js';
import type { QualificationReport } from '../src/governance/qualify.js';
import { metricsJson } from '../src/reports/metrics-json.js';
import { writeOutput } from './_outputs.js';
import { promotionRecordFiles } from './_promotion-records.js';
import { targetLabelSchema } from '../src/data/schemas/target-label.js';

/**
 * Where a candidate (an experiment, or a strategy's backtest) stands at a promotion tier
 * (//promotions/<tier>/<id>): its qualification
 * verdict, the record of `quanto promote` that covers its current outputs if any, the stale
 * records of earlier outputs, and the next step. The records are this target's srcs (a glob), so
 * promoting changes its key; the target builds whatever the verdict, because it is the evidence.
 */
export default defineRule({
  name: 'promotion_status',
  version: 1,
  description: "a candidate's promotion state at a tier: verdict, covering record, next step",
  config: z
    .object({
      /** The candidate promoted (an experiment, or a strategy's backtest), and the qualification that judged it. */
      from: z.object({ candidate: targetLabelSchema, qualification: targetLabelSchema }).strict(),
      tier: z.enum(['candidate', 'production']),
      /** The promotion records to look in: the glob this target lists in its srcs. */
      promotions: z.string().min(1),
    })
    .strict(),
  inputs: (c) => [c.from.candidate, c.from.qualification],
  outputs: ['promotion/status.json'],
  async run(ctx) {
    const c = ctx.config;
    for (const label of [c.from.candidate, c.from.qualification]) inputOf(ctx, label);
    const reportBytes = readFileSync(
      join(ctx.inputs[c.from.qualification]!.dir(), 'promotion', 'qualification_report.json'),
    );
    const report = JSON.parse(reportBytes.toString('utf8')) as QualificationReport;
    const records = promotionRecordFiles(ctx.srcs, c.promotions);
    const reportDigest = createHash('sha256').update(reportBytes).digest('hex');
    const status = promotionStatus({
      experiment: c.from.candidate,
      outputsDigest: ctx.inputs[c.from.candidate]!.outputsDigest,
      tier: c.tier,
      report,
      reportDigest,
      records,
    });
    writeOutput(ctx.outDir, 'promotion/status.json', metricsJson(status));
    ctx.log.info(`${c.from.candidate} at ${c.tier}: ${status.state.replaceAll('_', ' ')}; ${status.next_step}`);
  },
});
