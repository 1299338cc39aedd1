import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { TestWorkspace } from '../helpers/workspace.js';

/** A "backtest" whose metrics follow from its config: sharpe = fast / slow, total_return = fast / 100. */
const SCORE_RULE = `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export default {
  name: 'score',
  version: 1,
  config: z.object({ fast: z.number(), slow: z.number().default(50), costs: z.object({ bps: z.number().default(10) }).strict().prefault({}) }).strict(),
  outputs: ['metrics.json'],
  run(ctx: any) {
    const c = ctx.config;
    writeFileSync(join(ctx.outDir, 'metrics.json'), JSON.stringify({ metrics: { sharpe: c.fast / c.slow, total_return: c.fast / 100, note: 'text is not a metric' } }));
  },
};
`;

function workspace(): TestWorkspace {
  return new TestWorkspace({
    'quanto.pipeline.yaml': `targets:
  backtests/sma:
    rule: score
    config: configs/sma.yaml
    matrix:
      fast: [10, 30, 20]
  backtests/other:
    rule: score
    config: configs/other.yaml
`,
    'configs/sma.yaml': 'fast: 1\n',
    'configs/other.yaml': 'fast: 5\nslow: 10\ncosts: {bps: 2}\n',
    'rules/score.ts': SCORE_RULE,
  });
}

describe('quanto exp show and exp diff', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('tabulates the built targets with the params that differ and their metrics, sorted; from the cache, building nothing', async () => {
    ws = workspace();
    const before = await ws.cli('exp', 'show');
    expect(before.code).toBe(0);
    expect(before.err).toContain('nothing built writes metrics yet');
    expect(existsSync(ws.path('cache', 'out'))).toBe(false); // it built nothing
    expect((await ws.build('//...')).code).toBe(0);

    const json = await ws.cli('exp', 'show', '--sort', 'sharpe', '--json');
    const rows = JSON.parse(json.out) as { label: string; params: object; metrics: object }[];
    expect(rows.map((r) => r.label)).toEqual([
      '//backtests/sma@fast=30',
      '//backtests/other',
      '//backtests/sma@fast=20',
      '//backtests/sma@fast=10',
    ]);
    expect(rows[1]).toMatchObject({
      rule: 'score',
      params: { 'costs.bps': 2, fast: 5, slow: 10 },
      metrics: { total_return: 0.05, sharpe: 0.5 },
    });

    const matrix = await ws.cli('exp', 'show', '//backtests/sma', '--sort', 'sharpe', '--asc');
    const lines = matrix.out.trim().split('\n');
    expect(lines[0]).toMatch(/^label +fast +total_return +sharpe$/);
    expect(lines.slice(2)).toEqual([
      expect.stringMatching(/^\/\/backtests\/sma@fast=10 +10 +0\.1 +0\.2$/),
      expect.stringMatching(/^\/\/backtests\/sma@fast=20 +20 +0\.2 +0\.4$/),
      expect.stringMatching(/^\/\/backtests\/sma@fast=30 +30 +0\.3 +0\.6$/),
      '(3 rows)',
    ]);
    const csv = await ws.cli(
      'exp',
      'show',
      '//backtests/sma@fast=10',
      '//backtests/other',
      '--csv',
      '--metrics',
      'sharpe',
    );
    expect(csv.out.trim().split('\n')).toEqual([
      'label,costs.bps,fast,slow,sharpe',
      '//backtests/other,2,5,10,0.5',
      '//backtests/sma@fast=10,10,10,50,0.2',
    ]);
  });

  it('diff shows the params that differ and every metric with its change', async () => {
    ws = workspace();
    expect((await ws.build('//...')).code).toBe(0);
    const r = await ws.cli('exp', 'diff', '//backtests/sma@fast=10', '//backtests/other', '--json');
    expect(r.code).toBe(0);
    const diff = JSON.parse(r.out);
    expect(diff.params).toEqual([
      { name: 'costs.bps', a: 10, b: 2 },
      { name: 'fast', a: 10, b: 5 },
      { name: 'slow', a: 50, b: 10 },
    ]);
    expect(diff.metrics).toEqual([
      { name: 'sharpe', a: 0.2, b: 0.5, change: expect.closeTo(0.3, 12) },
      { name: 'total_return', a: 0.1, b: 0.05, change: expect.closeTo(-0.05, 12) },
    ]);
    const table = await ws.cli('exp', 'diff', '//backtests/sma@fast=10', '//backtests/sma@fast=20');
    expect(table.out).toMatch(/^param +fast +10 +20/m);
    expect(table.out).toMatch(/^metric +sharpe +0\.2 +0\.4 +\+0\.2/m);
  });

  it('says why a target cannot be shown; a label naming a whole matrix is not one target to diff; usage errors exit 2', async () => {
    ws = workspace();
    const unbuilt = await ws.cli('exp', 'show', '//backtests/other');
    expect(unbuilt.err).toContain('quanto exp show: //backtests/other: not built (quanto build //backtests/other)');
    const diff = await ws.cli('exp', 'diff', '//backtests/other', '//backtests/sma@fast=10');
    expect(diff.code).toBe(2);
    expect(diff.err).toContain('exp diff: //backtests/other: not built');
    expect((await ws.build('//...')).code).toBe(0);
    const whole = await ws.cli('exp', 'diff', '//backtests/sma', '//backtests/other');
    expect(whole.code).toBe(2);
    expect(whole.err).toContain('exp diff takes one target label, and //backtests/sma names 3 matrix points');
    const sort = await ws.cli('exp', 'show', '--sort', 'sortino');
    expect(sort.code).toBe(2);
    expect(sort.err).toContain('--sort sortino: no row has that metric (there are: sharpe, total_return)');
    expect((await ws.cli('exp', 'show', '--json', '--csv')).code).toBe(2);
  });
});
