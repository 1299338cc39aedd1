import { afterEach, describe, expect, it } from 'vitest';
import { TestWorkspace } from '../helpers/workspace.js';

const RULE = `import { z } from 'zod';
import { explode } from './lib/explode.js';

export default {
  name: 'boom',
  version: 1,
  config: z.object({}).strict(),
  outputs: ['never.txt'],
  run(ctx: { label: string }) {
    explode(ctx.label);
  },
};
`;

const HELPER = `// A helper a rule imports: its error must point here.
export function explode(label: string): never {
  throw new Error('deliberate failure in ' + label);
}
`;

/** A rule's error in the log names its TypeScript sources and lines, not the bundle in cache/rules/. */
describe.each([
  ['worker threads', []],
  ['the main thread (--jobs 0)', ['--jobs', '0']],
])('stack traces of rule errors point at the sources, on %s', (_where, jobs) => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('names rules/lib/explode.ts:3 and rules/boom.ts:10', async () => {
    ws = new TestWorkspace({
      'quanto.pipeline.yaml': 'targets:\n  t/boom:\n    rule: boom\n',
      'rules/boom.ts': RULE,
      'rules/lib/explode.ts': HELPER,
    });
    const r = await ws.cli('build', '//...', '--no-tui', ...jobs);
    expect(r.code).toBe(1);
    const log = ws.read('cache/logs/t/boom.log');
    expect(log).toContain('deliberate failure in //t/boom');
    expect(log).toMatch(/rules\/lib\/explode\.ts:3:\d+/);
    expect(log).toMatch(/rules\/boom\.ts:10:\d+/);
    expect(log).not.toMatch(/cache\/rules\/[^\s]*\.mjs/);
  });
});
