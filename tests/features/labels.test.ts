import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ewmVol, forwardReturn, tripleBarrier } from '../../src/features/labels.js';
import { REPO_ROOT, TestWorkspace } from '../helpers/workspace.js';

describe('labels', () => {
  it('forward returns look exactly h bars ahead and stop where the data does', () => {
    const r = forwardReturn([100, 110, 121, 133.1], 2);
    expect(r[0]).toBeCloseTo(Math.log(1.21), 12);
    expect(r.slice(2).every(Number.isNaN)).toBe(true);
  });

  it('triple barrier: the first barrier touched decides, t1 is the touch, else the vertical barrier', () => {
    // Quiet drift to set the volatility, then a jump up at bar 30 and a fall at bar 45.
    const close = Array.from(
      { length: 60 },
      (_, i) => 100 * (1 + 0.001 * Math.sin(i)) * (i >= 30 ? 1.05 : 1) * (i >= 45 ? 0.9 : 1),
    );
    const l = tripleBarrier(close, {
      name: 'tb',
      kind: 'triple_barrier',
      vol_span: 10,
      profit_take: 2,
      stop_loss: 2,
      max_holding: 5,
    });
    expect(l.label[28]).toBe(1);
    expect(l.t1[28]).toBe(30);
    expect(l.label[42]).toBe(-1);
    expect(l.t1[42]).toBe(45);
    expect(Number.isNaN(l.label[58]!)).toBe(true); // no room for the vertical barrier
    expect(ewmVol(close, 10).slice(0, 10).every(Number.isNaN)).toBe(true);
  });
});

const PROBE_RULE = `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
export default {
  name: 'train_probe',
  version: 1,
  config: z.object({ features: z.array(z.string()), target: z.string() }).strict(),
  outputs: ['ran.txt'],
  consumes: (c: any) => [
    { from: '//features/core_v1', columns: c.features.filter((f: string) => !f.startsWith('fwd_')), as: 'feature' },
    { from: '//labels/core_v1', columns: c.features.filter((f: string) => f.startsWith('fwd_')), as: 'feature' },
    { from: '//labels/core_v1', columns: [c.target], as: 'label' },
  ],
  run(ctx: any) { writeFileSync(join(ctx.outDir, 'ran.txt'), 'trained'); },
};
`;

describe('the engine refuses label columns used as features', () => {
  let ws: TestWorkspace | undefined;
  afterEach(() => ws?.dispose());

  it('runs a consumer that uses features as features and a label as its target, and stops one that leaks a label into its features', async () => {
    ws = new TestWorkspace({
      'quanto.pipeline.yaml': `targets:
  raw/equity_ohlcv:
    rule: ingest_embedded
    config: configs/ingest.yaml
    srcs: [data/sample/msft_sunw_daily_ohlcv_2000_2004.csv]
  canonical/equity_ohlcv:
    rule: canonicalize
    deps: [//raw/equity_ohlcv]
    config: configs/canonical.yaml
  features/core_v1:
    rule: features
    deps: [//canonical/equity_ohlcv]
    config: configs/features.yaml
  labels/core_v1:
    rule: labels
    deps: [//canonical/equity_ohlcv]
    config: configs/labels.yaml
  experiments/honest:
    rule: train_probe
    deps: [//features/core_v1, //labels/core_v1]
    config: configs/honest.yaml
  experiments/leaky:
    rule: train_probe
    deps: [//features/core_v1, //labels/core_v1]
    config: configs/leaky.yaml
`,
      'configs/ingest.yaml': 'datasets: [msft_sunw]\n',
      'configs/canonical.yaml': 'vendors:\n  - name: embedded\n    from: //raw/equity_ohlcv\n',
      'configs/features.yaml':
        'from: //canonical/equity_ohlcv\nname: core_v1\nversion: 1\nfeatures:\n  - {name: rsi_14, kind: rsi, window: 14}\n  - {name: ret_1d, kind: return_log, horizon: 1}\n',
      'configs/labels.yaml':
        'from: //canonical/equity_ohlcv\nname: core_v1\nversion: 1\nlabels:\n  - {name: fwd_ret_5d, kind: forward_return, horizon: 5}\n',
      'configs/honest.yaml': 'features: [rsi_14, ret_1d]\ntarget: fwd_ret_5d\n',
      'configs/leaky.yaml': 'features: [rsi_14, fwd_ret_5d]\ntarget: fwd_ret_5d\n',
    });
    mkdirSync(ws.path('rules'));
    for (const f of readdirSync(join(REPO_ROOT, 'rules')).filter((f) => f.endsWith('.ts')))
      symlinkSync(join(REPO_ROOT, 'rules', f), ws.path('rules', f));
    ws.write('rules/train_probe.ts', PROBE_RULE);
    symlinkSync(join(REPO_ROOT, 'src'), ws.path('src'));
    mkdirSync(ws.path('data'));
    symlinkSync(join(REPO_ROOT, 'data', 'sample'), ws.path('data', 'sample'));
    const r = await ws.build('--jobs', '0', '--keep-going');
    expect(r.status['//experiments/honest']).toBe('built');
    expect(r.status['//experiments/leaky']).toBe('failed');
    expect(r.targets.find((t) => t.label === '//experiments/leaky')!.error).toBe(
      'leakage: //experiments/leaky would use the label column(s) fwd_ret_5d of //labels/core_v1 as features; labels look into the future and may only be used as labels',
    );
    expect(ws.read('cache/out/experiments/honest/ran.txt')).toBe('trained');
  });
});
