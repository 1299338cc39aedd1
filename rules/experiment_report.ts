import { z } from 'zod';
import { defineRule } from '../src/engine/rule-api.js';
import { experimentTearsheet } from '../src/reports/experiment-tearsheet.js';
import { inputDir } from './_inputs.js';
import { writeOutput } from './_outputs.js';

/** A tearsheet of an experiment's test window against its declared baseline: one self-contained HTML file. */
export default defineRule({
  name: 'experiment_report',
  version: 1,
  description: "an experiment's tearsheet against its baseline",
  config: z
    .object({
      experiment: z.string().startsWith('//'),
      baseline: z.string().startsWith('//'),
      periods_per_year: z.number().positive().default(252),
      rolling_window: z.number().int().min(2).default(63),
    })
    .strict(),
  inputs: (c) => [c.experiment, c.baseline],
  outputs: ['tearsheet.html'],
  async run(ctx) {
    const c = ctx.config;
    const html = await experimentTearsheet({
      title: `${c.experiment} against ${c.baseline}`,
      experimentDir: inputDir(ctx, c.experiment),
      baselineDir: inputDir(ctx, c.baseline),
      baselineName: c.baseline,
      periodsPerYear: c.periods_per_year,
      rollingWindow: c.rolling_window,
    });
    writeOutput(ctx.outDir, 'tearsheet.html', html);
  },
});
