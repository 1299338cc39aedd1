import { TestWorkspace } from './workspace.js';

/**
 * A small pipeline that exercises every kind of key input:
 *
 *   raw/prices (copy_text, src data/prices.csv) ─┬─ stats/lines (line_count) ─┐
 *                                                 └─ features/upper (copy_text, config) ─┴─ report/final (copy_text)
 *
 * copy_text imports rules/lib/format.ts; line_count imports rules/lib/types.ts for types only;
 * rules/lib/unused.ts is imported by nobody.
 */
export const SMALL_PIPELINE = `# a small research pipeline
version: 1
targets:
  raw/prices:
    rule: copy_text
    srcs: [data/prices.csv]
    config: configs/raw.yaml
  stats/lines:
    rule: line_count
    deps: [//raw/prices]
  features/upper:
    rule: copy_text
    deps: [//raw/prices]
    config: configs/upper.yaml
  report/final:
    rule: copy_text
    deps: [//stats/lines, //features/upper]
`;

export const COPY_TEXT_RULE = `import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { format } from './lib/format.js';

export default {
  name: 'copy_text',
  version: 1,
  config: z.object({ upper: z.boolean().default(false), prefix: z.string().default('') }).strict(),
  outputs: ['out.txt'],
  run(ctx) {
    const parts = [];
    for (const label of Object.keys(ctx.inputs).sort()) {
      for (const path of Object.values(ctx.inputs[label].files)) parts.push(readFileSync(path, 'utf8'));
    }
    for (const path of Object.values(ctx.srcs)) parts.push(readFileSync(path, 'utf8'));
    const text = format(parts.join(''), ctx.config);
    ctx.log.info('wrote ' + text.length + ' characters');
    ctx.progress(1, 1, 'files');
    writeFileSync(join(ctx.outDir, 'out.txt'), text);
    return { rows: { 'out.txt': text.split('\\n').length - 1 } };
  },
};
`;

export const FORMAT_LIB = `export function format(text, config) {
  const body = config.upper ? text.toUpperCase() : text;
  return config.prefix + body;
}
`;

export const LINE_COUNT_RULE = `import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Counted } from './lib/types.js';

export default {
  name: 'line_count',
  version: 1,
  config: z.object({}).strict(),
  outputs: ['count.json'],
  run(ctx: any) {
    const [input] = Object.values(ctx.inputs) as any[];
    const text = readFileSync(input.files['out.txt'], 'utf8');
    const counted: Counted = { lines: text.split('\\n').length - 1 };
    writeFileSync(join(ctx.outDir, 'count.json'), JSON.stringify(counted) + '\\n');
  },
};
`;

export function smallWorkspace(extra: Record<string, string> = {}): TestWorkspace {
  return new TestWorkspace({
    'quanto.pipeline.yaml': SMALL_PIPELINE,
    'data/prices.csv': 'date,close\n2020-01-02,100\n2020-01-03,101\n',
    'configs/raw.yaml': 'prefix: ""\n',
    'configs/upper.yaml': '# upper-case features\nupper: true\nprefix: "F:"\n',
    'rules/copy_text.ts': COPY_TEXT_RULE,
    'rules/line_count.ts': LINE_COUNT_RULE,
    'rules/lib/format.ts': FORMAT_LIB,
    'rules/lib/types.ts': 'export interface Counted { lines: number }\n',
    'rules/lib/unused.ts': 'export const unused = 1;\n',
    ...extra,
  });
}

/** A rule that sleeps `ms` then writes its label: for kill and concurrency tests. */
export const SLOW_RULE = `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export default {
  name: 'slow',
  version: 1,
  config: z.object({ ms: z.number().int().default(200) }).strict(),
  outputs: ['out.txt'],
  run(ctx: any) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ctx.config.ms);
    const deps = Object.values(ctx.inputs).map((i: any) => i.outputsDigest).sort().join(',');
    writeFileSync(join(ctx.outDir, 'out.txt'), ctx.label + ' <- ' + deps + '\\n');
  },
};
`;

/** SLOW_RULE sleeping in eight steps, each reported with ctx.progress: for progress tests. */
export const STEPPING_SLOW_RULE = SLOW_RULE.replace(
  'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ctx.config.ms);',
  `for (let i = 1; i <= 8; i++) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ctx.config.ms / 8);
      ctx.progress(i, 8, 'steps');
    }`,
);

export const RANDOM_RULE = `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export default {
  name: 'random',
  version: 1,
  config: z.object({ seeded: z.boolean().default(false) }).strict(),
  outputs: ['out.txt'],
  run(ctx: any) {
    const value = ctx.config.seeded ? ctx.seed : Math.random();
    writeFileSync(join(ctx.outDir, 'out.txt'), String(value));
  },
};
`;

export const FAIL_RULE = `import { z } from 'zod';

export default {
  name: 'fail',
  version: 1,
  config: z.object({}).strict(),
  outputs: ['never.txt'],
  run(ctx: any) {
    ctx.log.info('about to fail');
    throw new Error('deliberate failure in ' + ctx.label);
  },
};
`;
