import { afterEach, describe, expect, it } from 'vitest';
import { readHoldoutLedger, trialsOf } from '../../src/engine/research-integrity/holdout-ledger.js';
import { builtLabels, TestWorkspace } from '../helpers/workspace.js';

/** A trial: writes its config and its matrix point, and reports that it read a reserve (so the ledger counts it). */
const TRIAL_RULE = `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export default {
  name: 'trial',
  version: 1,
  config: z.object({
    seed: z.number().int().min(1),
    lr: z.number().positive().default(0.001),
    strategy: z.object({ fast: z.number().int().default(5), slow: z.number().int().default(20) }).strict().default({ fast: 5, slow: 20 }),
  }).strict(),
  outputs: ['trial.json'],
  run(ctx: any) {
    writeFileSync(join(ctx.outDir, 'trial.json'), JSON.stringify({ config: ctx.config, matrix: ctx.matrix }));
    return { holdout: { family: ctx.matrix?.target ?? ctx.label, record: { seed: ctx.config.seed } } };
  },
};
`;

const TABLE_RULE = `import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export default {
  name: 'table',
  version: 1,
  config: z.object({}).strict(),
  outputs: ['table.txt'],
  run(ctx: any) {
    const rows = Object.keys(ctx.inputs).sort().map((label) => label + ' ' + readFileSync(ctx.inputs[label].files['trial.json'], 'utf8'));
    writeFileSync(join(ctx.outDir, 'table.txt'), rows.join('\\n') + '\\n');
  },
};
`;

function workspace(matrix: string, extra = ''): TestWorkspace {
  return new TestWorkspace({
    'quanto.pipeline.yaml': `targets:
  experiments/ppo:
    rule: trial
    config: configs/ppo.yaml
    matrix:
${matrix}
  reports/all:
    rule: table
    deps: [//experiments/ppo]
${extra}`,
    'configs/ppo.yaml': 'seed: 1\n',
    'rules/trial.ts': TRIAL_RULE,
    'rules/table.ts': TABLE_RULE,
  });
}

describe('matrix targets', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('expands into one target per point, each built with its own config and key, all trials of the matrix', async () => {
    ws = workspace('      seed: [1, 2]\n      lr: {path: lr, values: [1.0e-4, 3.0e-4]}\n');
    const r = await ws.build('//...');
    expect(r.code).toBe(0);
    const points = [
      '//experiments/ppo@seed=1,lr=1e-4',
      '//experiments/ppo@seed=1,lr=3e-4',
      '//experiments/ppo@seed=2,lr=1e-4',
      '//experiments/ppo@seed=2,lr=3e-4',
    ];
    expect(builtLabels(r)).toEqual([...points, '//reports/all'].sort());
    expect(new Set(r.targets.map((t) => t.key)).size).toBe(5);
    const trial = JSON.parse(ws.read('cache/out/experiments/ppo@seed=2,lr=3e-4/trial.json'));
    expect(trial).toEqual({
      config: { seed: 2, lr: 3e-4, strategy: { fast: 5, slow: 20 } },
      matrix: { target: '//experiments/ppo', point: { seed: '2', lr: '3e-4' } },
    });
    // The whole matrix is one dependency of the table: every point, in the point order.
    expect(
      ws
        .read('cache/out/reports/all/table.txt')
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[0]),
    ).toEqual(points);
    // Every point is a trial of one family, so a deflated Sharpe counts all four.
    const ledger = readHoldoutLedger(ws.path('ledger', 'holdout.jsonl'));
    expect(
      trialsOf(ledger, '//experiments/ppo')
        .map((e) => e.target)
        .sort(),
    ).toEqual(points);
  });

  it('adding a point builds only that point (and what depends on the whole matrix)', async () => {
    ws = workspace('      seed: [1, 2]\n');
    expect((await ws.build('//...')).code).toBe(0);
    ws.write('quanto.pipeline.yaml', ws.read('quanto.pipeline.yaml').replace('seed: [1, 2]', 'seed: [1, 2, 3]'));
    const r = await ws.build('//...');
    expect(builtLabels(r)).toEqual(['//experiments/ppo@seed=3', '//reports/all']);
    expect(r.status['//experiments/ppo@seed=1']).toBe('cached');
    expect(trialsOf(readHoldoutLedger(ws.path('ledger', 'holdout.jsonl')), '//experiments/ppo')).toHaveLength(3);
  });

  it('labels name one point, a slice, or all of them; numbers match as numbers', async () => {
    ws = workspace(
      '      seed: [1, 2]\n      lr: {values: [1.0e-4, 3.0e-4]}\n',
      '  reports/one:\n    rule: table\n    deps: ["//experiments/ppo@lr=0.0003,seed=2"]\n',
    );
    let r = await ws.build('//experiments/ppo@seed=2,lr=0.0001');
    expect(builtLabels(r)).toEqual(['//experiments/ppo@seed=2,lr=1e-4']);
    r = await ws.build('//experiments/ppo@seed=1');
    expect(builtLabels(r)).toEqual(['//experiments/ppo@seed=1,lr=1e-4', '//experiments/ppo@seed=1,lr=3e-4']);
    r = await ws.build('//reports/one');
    expect(builtLabels(r)).toEqual(['//experiments/ppo@seed=2,lr=3e-4', '//reports/one']);
    r = await ws.build('//experiments/ppo@...');
    expect(r.targets.map((t) => t.status).sort()).toEqual(['cached', 'cached', 'cached', 'cached']); // every point was built by a label above
    const ls = await ws.cli('ls');
    expect(ls.out).toContain('//experiments/ppo@seed=1,lr=3e-4');
    const bad = await ws.cli('build', '//experiments/ppo@seed=9');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('//experiments/ppo has no matrix point @seed=9 (it has 4: @seed=1,lr=1e-4,');
    const axis = await ws.cli('build', '//experiments/ppo@sead=1');
    expect(axis.err).toContain("//experiments/ppo has no matrix axis 'sead' (its axes: seed, lr)");
  });

  it('ranges, zipped axes and nested config keys', async () => {
    ws = workspace(
      '      fast: {path: strategy.fast, range: {from: 10, to: 30, step: 10}}\n      slow: {path: strategy.slow, values: [50, 100, 200]}\n      seed: [1]\n      zip: [[fast, slow]]\n',
    );
    const r = await ws.build('//experiments/...');
    expect(builtLabels(r)).toEqual([
      '//experiments/ppo@fast=10,slow=50,seed=1',
      '//experiments/ppo@fast=20,slow=100,seed=1',
      '//experiments/ppo@fast=30,slow=200,seed=1',
    ]);
    expect(JSON.parse(ws.read('cache/out/experiments/ppo@fast=20,slow=100,seed=1/trial.json')).config.strategy).toEqual(
      {
        fast: 20,
        slow: 100,
      },
    );
  });

  it('a value the rule rejects is an error at its line in the pipeline, naming the point; exit 2', async () => {
    ws = workspace('      seed: [1, 0]\n');
    const r = await ws.cli('build', '//experiments/ppo');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/quanto\.pipeline\.yaml:6:\d+: target 'experiments\/ppo@seed=0': key 'seed': /);
  });

  it.each([
    ['an empty axis', '      seed: []\n', /quanto\.pipeline\.yaml:6:\d+: .*key 'matrix\.seed': the axis has no values/],
    [
      'an empty range',
      '      seed: {range: {from: 3, to: 1, step: 1}}\n',
      /the axis has no values, so the matrix has no points/,
    ],
    ['no axes', '      zip: []\n', /declares no axes, so the matrix has no points/],
    ['a duplicate point', '      seed: [1, 2, 1]\n', /quanto\.pipeline\.yaml:6:\d+: .*point @seed=1 is listed twice/],
    [
      'zipped axes of unequal length',
      '      seed: [1, 2]\n      lr: [0.1]\n      zip: [[seed, lr]]\n',
      /zipped axes must have as many values each \(seed: 2, lr: 1\)/,
    ],
    ['a zip of an unknown axis', '      seed: [1, 2]\n      zip: [[seed, lr]]\n', /'lr' is not an axis of this matrix/],
    ['a value no label can hold', "      seed: ['a b']\n", /value 'a b' cannot name a point/],
    [
      'two axes setting one key',
      '      seed: [1]\n      s2: {path: seed, values: [2]}\n',
      /sets 'seed', which axis 'seed' sets too/,
    ],
  ])('%s is a pipeline error with its line, exit 2', async (_what, matrix, message) => {
    ws = workspace(matrix);
    const r = await ws.cli('ls');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('a point label split by a YAML flow list is an error that says to quote it', async () => {
    ws = workspace(
      '      seed: [1]\n      lr: [0.1]\n',
      '  reports/one:\n    rule: table\n    deps: [//experiments/ppo@seed=1,lr=0.1]\n',
    );
    const r = await ws.cli('ls');
    expect(r.code).toBe(2);
    expect(r.err).toContain("'lr=0.1' is not a label: a label with ',' in a [flow, list] must be quoted");
  });

  it('a dependency on a point that does not exist, or on a point of a target with no matrix, is a pipeline error', async () => {
    ws = workspace(
      '      seed: [1]\n',
      '  reports/bad:\n    rule: table\n    deps: [//experiments/ppo@seed=4, //reports/all@seed=1]\n',
    );
    const r = await ws.cli('ls');
    expect(r.code).toBe(2);
    expect(r.err).toContain("key 'deps[0]': //experiments/ppo has no matrix point @seed=4 (it has 1: @seed=1)");
    expect(r.err).toContain("key 'deps[1]': //reports/all has no matrix, so //reports/all@seed=1 names nothing");
  });
});
