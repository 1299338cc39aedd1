import { z } from 'zod';
import { defineRule } from '../src/engine/rule-api.js';
import { experimentTearsheet } from '../src/reports/experiment-tearsheet.js';
import { inputDir } from './_inputs.js';
import { writeOutput } from './_outputs.js';
import { targetLabelSchema } from '../src/data/schemas/target-label.js';

/** A tearsheet of an experiment's test window against its declared baseline: one self-contained HTML file. */
export default defineRule({
  name: 'experiment_report',
  version: 1,
  description: "an experiment's tearsheet against its baseline",
  config: z
    .object({
      /** The experiment, and the baseline it is read against. */
      from: z.object({ experiment: targetLabelSchema, baseline: targetLabelSchema }).strict(),
      periods_per_year: z.number().positive().default(252),
      rolling_window: z.number().int().min(2).default(63),
    })
    .strict(),
  inputs: (c) => [c.from.experiment, c.from.baseline],
  outputs: ['tearsheet.html'],
  async run(ctx) {
    const c = ctx.config;
    const html = await experimentTearsheet({
      title: `${c.from.experiment} against ${c.from.baseline}`,
      experimentDir: inputDir(ctx, c.from.experiment),
      baselineDir: inputDir(ctx, c.from.baseline),
      baselineName: c.from.baseline,
      periodsPerYear: c.periods_per_year,
      rollingWindow: c.rolling_window,
    });
    writeOutput(ctx.outDir, 'tearsheet.html', html);
  },
});
