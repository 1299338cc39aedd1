import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { dataHealth, HEALTH_FIELDS } from '../src/data/health/data-health.js';
import { defineRule } from '../src/engine/rule-api.js';
import { inputDir } from './_inputs.js';
import { targetLabelSchema } from '../src/data/schemas/target-label.js';

/**
 * Coverage and missing-value diagnostics of canonical bars, per symbol and field, against the
 * exchange calendar; in strict mode the build fails past the configured threshold. health.json.
 */
export default defineRule({
  name: 'data_health',
  version: 1,
  description: 'coverage and NaN diagnostics of canonical bars (JSON report)',
  config: z
    .object({
      from: targetLabelSchema,
      exchange: z.string().default('XNYS'),
      calendar: z.enum(['union', 'intersection', 'per_symbol']).default('per_symbol'),
      fields: z.array(z.enum(HEALTH_FIELDS)).default([...HEALTH_FIELDS]),
      max_missing_ratio: z.number().min(0).max(1).default(0.05),
      strict: z.boolean().default(false),
    })
    .strict(),
  inputs: (c) => [c.from],
  outputs: ['health.json'],
  async run(ctx) {
    const report = await dataHealth({
      storeDir: join(inputDir(ctx, ctx.config.from), 'equity_bars'),
      exchange: ctx.config.exchange,
      calendar: ctx.config.calendar,
      fields: ctx.config.fields,
      maxMissingRatio: ctx.config.max_missing_ratio,
      strict: ctx.config.strict,
    });
    writeFileSync(join(ctx.outDir, 'health.json'), `${JSON.stringify(report, null, 2)}\n`);
    ctx.log.info(`${Object.keys(report.symbols).length} symbols, ${report.breaches.length} breaches`);
    return { validation: { passed: report.passed, breaches: report.breaches.length } };
  },
});
