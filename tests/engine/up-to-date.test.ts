import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/engine/scheduling/build.js';
import { type BuildEvent } from '../../src/engine/scheduling/build-events.js';
import { Session } from '../../src/engine/session.js';
import { smallWorkspace } from '../helpers/fixtures.js';
import { builtLabels, type TestWorkspace } from '../helpers/workspace.js';

/** Builds through the API and reports whether the scheduler planned (slow path) or the stamp answered. */
async function buildVia(ws: TestWorkspace, patterns: string[] = ['//...']) {
  const events: BuildEvent['type'][] = [];
  const session = await Session.open(ws.root);
  const result = await build(session, patterns, { jobs: 0, onEvent: (e) => events.push(e.type) });
  return { result, planned: events.includes('planned') };
}

describe('the no-op fast path (build stamps)', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('answers an unchanged rebuild from the stamp without planning, with the same keys and outputs', async () => {
    ws = smallWorkspace();
    const first = await buildVia(ws);
    expect(first.planned).toBe(true);
    const second = await buildVia(ws);
    expect(second.planned).toBe(false);
    expect(second.result.cached).toBe(4);
    expect(second.result.actions.map((a) => [a.label, a.key, a.outputs])).toEqual(
      first.result.actions.map((a) => [a.label, a.key, a.outputs]),
    );
  });

  it('any leaf input change falls back to the full check: config, source, rule file, pipeline', async () => {
    ws = smallWorkspace();
    await buildVia(ws);
    const edits: [string, string][] = [
      ['configs/upper.yaml', 'upper: true\nprefix: "H:"\n'],
      ['data/prices.csv', 'date,close\n'],
      ['rules/lib/format.ts', ws.read('rules/lib/format.ts') + '// touched\n'],
      ['quanto.pipeline.yaml', ws.read('quanto.pipeline.yaml') + '  extra:\n    rule: hash_inputs\n'],
    ];
    for (const [path, text] of edits) {
      ws.write(path, text);
      const r = await buildVia(ws);
      expect(r.planned, path).toBe(true);
      expect((await buildVia(ws)).planned, path).toBe(false);
    }
  });

  it('a partial build in between voids the stamp: edit, build one target, revert, and the old outputs come back', async () => {
    ws = smallWorkspace();
    await buildVia(ws);
    const original = ws.read('cache/out/features/upper/out.txt');
    ws.write('configs/upper.yaml', 'upper: false\nprefix: "changed:"\n');
    await buildVia(ws, ['//features/upper']);
    expect(ws.read('cache/out/features/upper/out.txt')).toMatch(/^changed:/);
    ws.write('configs/upper.yaml', '# upper-case features\nupper: true\nprefix: "F:"\n');
    const back = await buildVia(ws);
    // Same leaf fingerprint as the stamp of //..., but the state moved on: the full check runs.
    expect(back.planned).toBe(true);
    expect(builtLabels({ status: Object.fromEntries(back.result.actions.map((a) => [a.label, a.status])) })).toEqual(
      [],
    );
    expect(ws.read('cache/out/features/upper/out.txt')).toBe(original);
  });

  it('a deleted output path falls back to the full check, which restores it', async () => {
    ws = smallWorkspace();
    await buildVia(ws);
    rmSync(ws.path('cache/out/report'), { recursive: true });
    const r = await buildVia(ws);
    expect(r.planned).toBe(true);
    expect(r.result.built).toBe(0);
    expect(ws.read('cache/out/report/final/out.txt')).toContain('F:DATE');
  });

  it('a build with a failure leaves no stamp', async () => {
    ws = smallWorkspace({
      'rules/boom.ts':
        "import { z } from 'zod';\nexport default { name: 'boom', version: 1, config: z.object({}), outputs: [], run() { throw new Error('boom'); } };\n",
    });
    ws.write('quanto.pipeline.yaml', ws.read('quanto.pipeline.yaml') + '  broken:\n    rule: boom\n');
    expect((await buildVia(ws)).result.failed).toBe(1);
    const again = await buildVia(ws);
    expect(again.planned).toBe(true);
    expect(again.result.failed).toBe(1);
  });
});
