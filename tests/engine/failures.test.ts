import { afterEach, describe, expect, it } from 'vitest';
import { FAIL_RULE, smallWorkspace } from '../helpers/fixtures.js';
import type { TestWorkspace } from '../helpers/workspace.js';

const PIPELINE = `targets:
  good/a:
    rule: hash_inputs
  bad/b:
    rule: fail
    deps: [//good/a]
  above/c:
    rule: hash_inputs
    deps: [//bad/b]
  other/d:
    rule: hash_inputs
    deps: [//good/a]
  other/e:
    rule: hash_inputs
    deps: [//other/d]
`;

describe('failures', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('a failing target fails its dependents, keeps its error and log, and the build exits 1', async () => {
    ws = smallWorkspace({ 'rules/fail.ts': FAIL_RULE, 'quanto.pipeline.yaml': PIPELINE });
    const r = await ws.build('--jobs', '1');
    expect(r.code).toBe(1);
    expect(r.status['//bad/b']).toBe('failed');
    expect(r.status['//above/c']).toBe('skipped');
    const failed = r.targets.find((t) => t.label === '//bad/b')!;
    expect(failed.error).toBe('deliberate failure in //bad/b');
    const log = ws.read('cache/logs/bad/b.log');
    expect(log).toContain('INFO about to fail');
    expect(log).toContain('ERROR Error: deliberate failure in //bad/b');
    expect(r.failed).toBe(1);
  });

  it('without --keep-going nothing new starts after a failure; with it every independent branch builds', async () => {
    ws = smallWorkspace({ 'rules/fail.ts': FAIL_RULE, 'quanto.pipeline.yaml': PIPELINE });
    const stop = await ws.build('--jobs', '0');
    // Inline execution runs one action at a time in order: good/a, bad/b fails, then it stops.
    expect(stop.status).toMatchObject({
      '//good/a': 'built',
      '//bad/b': 'failed',
      '//other/d': 'skipped',
      '//other/e': 'skipped',
      '//above/c': 'skipped',
    });
    const going = await ws.build('--jobs', '0', '--keep-going');
    expect(going.code).toBe(1);
    expect(going.status).toEqual({
      '//good/a': 'cached',
      '//bad/b': 'failed',
      '//above/c': 'skipped',
      '//other/d': 'built',
      '//other/e': 'built',
    });
  });

  it('the plain output names the failure and where its log is', async () => {
    ws = smallWorkspace({ 'rules/fail.ts': FAIL_RULE, 'quanto.pipeline.yaml': PIPELINE });
    const r = await ws.cli('build', '--keep-going');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /^FAILED {2}\/\/bad\/b \(\d+ ms\): deliberate failure in \/\/bad\/b\n {8}log: .*cache\/logs\/bad\/b\.log$/m,
    );
    expect(r.out).toMatch(/^SKIPPED \/\/above\/c$/m);
    expect(r.out).toMatch(/^quanto: 3 built, 0 cached, 1 failed, 1 skipped/m);
    expect(r.out).not.toMatch(/\u001b\[/); // no escape codes
  });

  it('a rule that does not write its declared outputs fails with a clear message', async () => {
    ws = smallWorkspace({
      'quanto.pipeline.yaml': 'targets:\n  a:\n    rule: lazy\n',
      'rules/lazy.ts':
        "import { z } from 'zod';\nexport default { name: 'lazy', version: 1, config: z.object({}), outputs: ['table.parquet'], run() {} };\n",
    });
    const r = await ws.build();
    expect(r.code).toBe(1);
    expect(r.targets[0]!.error).toBe(
      "//a: the rule did not produce its declared output(s) 'table.parquet' (it wrote: nothing)",
    );
  });

  it('a worker that dies is a failed target, not a crashed build', async () => {
    ws = smallWorkspace({
      'quanto.pipeline.yaml': 'targets:\n  a:\n    rule: crash\n  b:\n    rule: hash_inputs\n',
      'rules/crash.ts':
        "import { z } from 'zod';\nexport default { name: 'crash', version: 1, config: z.object({}), outputs: [], run() { process.exit(3); } };\n",
    });
    const r = await ws.build('--jobs', '1', '--keep-going');
    expect(r.code).toBe(1);
    expect(r.status).toEqual({ '//a': 'failed', '//b': 'built' });
    expect(r.targets[0]!.error).toMatch(/^worker failed: /);
  });
});
