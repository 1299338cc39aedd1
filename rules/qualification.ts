import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { metricsJson } from '../src/reports/metrics-json.js';
import { readHoldoutLedger, trialsOf } from '../src/engine/research-integrity/holdout-ledger.js';
import { defineRule } from '../src/engine/rule-api.js';
import { inputOf } from './_inputs.js';
import { gateConfigSchema } from '../src/governance/gate-config.js';
import { qualify } from '../src/governance/qualify.js';

/**
 * Qualification of an experiment (or any backtest) against its declared baseline and a gate
 * config: hard gates must all pass, soft evidence is reported with its weight. The holdout
 * ledger is a declared source, so a new trial of the family re-qualifies with a higher bar.
 * The report is written whether or not the candidate passes: it is the evidence either way.
 */
export default defineRule({
  name: 'qualification',
  version: 1,
  description: 'hard gates and soft evidence of a candidate against its baseline',
  config: gateConfigSchema,
  inputs: (c) => [c.from.candidate, c.from.baseline],
  outputs: ['promotion/qualification_report.json'],
  async run(ctx) {
    const c = ctx.config;
    for (const label of [c.from.candidate, c.from.baseline]) inputOf(ctx, label);
    const ledger = ctx.srcs[c.ledger];
    if (!ledger)
      throw new Error(
        `the holdout ledger ${c.ledger} is not among this target's srcs: add it, so that a new trial changes this qualification's key`,
      );
    const trials = trialsOf(readHoldoutLedger(ledger), c.family).map((t) => ({
      target: t.target,
      key: t.key,
      sharpe_per_period: typeof t.sharpe_per_period === 'number' ? t.sharpe_per_period : null,
    }));
    // A trial target that is not a dep may finish after this ran, and its next trial would then
    // be counted one build late: say so, and how to order it.
    const undeclared = [...new Set(trials.map((t) => t.target))].filter((t) => !ctx.inputs[t]).sort();
    if (undeclared.length > 0)
      ctx.log.warn(
        `trials of ${c.family} from ${undeclared.join(', ')}, not among this target's deps: counted as the ledger has them now; add them to deps so that each new trial is counted in the same build`,
      );
    const report = await qualify(
      c,
      { candidate: ctx.inputs[c.from.candidate]!.dir(), baseline: ctx.inputs[c.from.baseline]!.dir() },
      trials,
    );
    mkdirSync(join(ctx.outDir, 'promotion'), { recursive: true });
    writeFileSync(join(ctx.outDir, 'promotion', 'qualification_report.json'), metricsJson(report));
    const failed = report.hard.filter((g) => !g.pass).map((g) => g.name);
    ctx.log.info(
      report.passed
        ? `qualified: all ${report.hard.length} hard gates pass (${report.trials.count} trial(s) of ${c.family})`
        : `not qualified: ${failed.join(', ')} failed`,
    );
  },
});
