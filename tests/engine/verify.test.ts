import { afterEach, describe, expect, it } from 'vitest';
import { RANDOM_RULE, smallWorkspace } from '../helpers/fixtures.js';
import type { TestWorkspace } from '../helpers/workspace.js';

describe('quanto verify', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('rebuilds from scratch in an empty cache and finds every output bit-identical', async () => {
    ws = smallWorkspace();
    await ws.build();
    const r = await ws.cli('verify', '//...', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ ok: true, checked: 4, damaged: [], mismatches: [], failures: [] });
    // The workspace cache is untouched: a build afterwards is still a no-op.
    expect((await ws.build()).built).toBe(0);
  });

  it('catches a rule that is not deterministic, names the output, and exits 1', async () => {
    ws = smallWorkspace({
      'rules/random.ts': RANDOM_RULE,
      'quanto.pipeline.yaml':
        'targets:\n  ok:\n    rule: random\n    config: configs/seeded.yaml\n  flaky:\n    rule: random\n  after:\n    rule: hash_inputs\n    deps: [//flaky]\n',
      'configs/seeded.yaml': 'seeded: true\n',
    });
    const r = await ws.cli('verify');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/MISMATCH \/\/flaky out\.txt: workspace [0-9a-f]{64} clean [0-9a-f]{64}/);
    expect(r.out).toMatch(/MISMATCH \/\/after digest/);
    expect(r.out).not.toMatch(/MISMATCH \/\/ok/);
  });

  it('the seed a rule gets is derived from its key: the same on every rebuild', async () => {
    ws = smallWorkspace({
      'rules/random.ts': RANDOM_RULE,
      'quanto.pipeline.yaml':
        'targets:\n  a:\n    rule: random\n    config: configs/seeded.yaml\n  b:\n    rule: random\n    config: configs/seeded.yaml\n',
      'configs/seeded.yaml': 'seeded: true\n',
    });
    const first = await ws.build();
    const seedA = ws.read('cache/out/a/out.txt');
    expect(seedA).toBe(String(Number.parseInt(first.targets[0]!.key!.slice(0, 8), 16)));
    expect(ws.read('cache/out/b/out.txt')).not.toBe(seedA);
    expect((await ws.cli('verify')).code).toBe(0);
  });
});
