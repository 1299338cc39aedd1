import { afterEach, describe, expect, it } from 'vitest';
import { smallWorkspace } from '../helpers/fixtures.js';
import { builtLabels, type TestWorkspace } from '../helpers/workspace.js';

const ALL = ['//features/upper', '//raw/prices', '//report/final', '//stats/lines'];

describe('incremental builds', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('builds everything once, then a second build is a no-op', async () => {
    ws = smallWorkspace();
    const first = await ws.build();
    expect(first.code).toBe(0);
    expect(builtLabels(first)).toEqual(ALL);
    expect(ws.read('cache/out/features/upper/out.txt')).toBe('F:DATE,CLOSE\n2020-01-02,100\n2020-01-03,101\n');

    const second = await ws.build();
    expect(second.code).toBe(0);
    expect(second.built).toBe(0);
    expect(second.cached).toBe(4);
    expect(second.targets.map((t) => t.key)).toEqual(first.targets.map((t) => t.key));
  });

  it('a config edit rebuilds that target and what its new output reaches, nothing else', async () => {
    ws = smallWorkspace();
    await ws.build();
    ws.write('configs/upper.yaml', 'upper: true\nprefix: "G:"\n');
    const after = await ws.build();
    expect(builtLabels(after)).toEqual(['//features/upper', '//report/final']);
  });

  it('reordering keys or adding a comment in a config changes nothing', async () => {
    ws = smallWorkspace();
    await ws.build();
    ws.write('configs/upper.yaml', 'prefix: "F:"   # same values\nupper: true\n');
    expect(builtLabels(await ws.build())).toEqual([]);
  });

  it('writing a default explicitly changes nothing: keys use the validated config', async () => {
    ws = smallWorkspace();
    await ws.build();
    ws.write('configs/raw.yaml', 'prefix: ""\nupper: false\n');
    expect(builtLabels(await ws.build())).toEqual([]);
  });

  it('an input (source file) edit rebuilds its target and everything whose inputs changed', async () => {
    ws = smallWorkspace();
    await ws.build();
    ws.write('data/prices.csv', 'date,close\n2020-01-02,100\n2020-01-03,101\n2020-01-06,99\n');
    expect(builtLabels(await ws.build())).toEqual(ALL);
  });

  it('editing a file a rule imports rebuilds every target of that rule', async () => {
    ws = smallWorkspace();
    await ws.build();
    ws.write(
      'rules/lib/format.ts',
      'export function format(text, config) {\n  return config.prefix + (config.upper ? text.toUpperCase() : text) + "#";\n}\n',
    );
    const after = await ws.build();
    // raw/prices changes, so stats/lines sees a new input; its count is the same, but it must run to know.
    expect(builtLabels(after)).toEqual(ALL);
  });

  it('editing a file no rule imports, or one imported only for types, rebuilds nothing', async () => {
    ws = smallWorkspace();
    await ws.build();
    ws.write('rules/lib/unused.ts', 'export const unused = 2;\n');
    expect(builtLabels(await ws.build())).toEqual([]);
    ws.write('rules/lib/types.ts', 'export interface Counted { lines: number; extra?: string }\n');
    expect(builtLabels(await ws.build())).toEqual([]);
  });

  it('editing a rule file rebuilds its targets; identical outputs stop the rebuild there (early cutoff)', async () => {
    ws = smallWorkspace();
    await ws.build();
    ws.write('rules/line_count.ts', ws.read('rules/line_count.ts') + '\n// a comment: new source, same output\n');
    const after = await ws.build();
    expect(builtLabels(after)).toEqual(['//stats/lines']);
    expect(after.status['//report/final']).toBe('cached');
  });

  it('early cutoff: an input edit that leaves an intermediate output identical stops there', async () => {
    ws = smallWorkspace();
    await ws.build();
    // Same number of lines: raw/prices and features/upper change, stats/lines runs but
    // produces the same count; report/final still rebuilds because features/upper changed.
    ws.write('data/prices.csv', 'date,close\n2020-01-02,100\n2020-01-03,102\n');
    const after = await ws.build();
    expect(after.status['//stats/lines']).toBe('built');
    expect(after.targets.find((t) => t.label === '//stats/lines')!.outputs).toEqual(
      (await ws.build()).targets.find((t) => t.label === '//stats/lines')!.outputs,
    );
    // Now a change only stats/lines depends on, through an output that stays identical.
    ws.write('configs/raw.yaml', 'prefix: ""\nupper: false\n# comment only\n');
    expect(builtLabels(await ws.build())).toEqual([]);
  });

  it('a target with identical rebuilt input bytes is not rebuilt even though its dependency ran', async () => {
    ws = smallWorkspace();
    await ws.build();
    // Bumping the rule version forces every copy_text target to run again, with identical bytes.
    ws.write('rules/copy_text.ts', ws.read('rules/copy_text.ts').replace('version: 1', 'version: 2'));
    const after = await ws.build();
    expect(builtLabels(after)).toEqual(['//features/upper', '//raw/prices', '//report/final']);
    expect(after.status['//stats/lines']).toBe('cached');
  });

  it('restores a deleted stable output path from the cache without rebuilding', async () => {
    ws = smallWorkspace();
    await ws.build();
    const { rmSync } = await import('node:fs');
    rmSync(ws.path('cache/out/features'), { recursive: true });
    const after = await ws.build();
    expect(builtLabels(after)).toEqual([]);
    expect(ws.read('cache/out/features/upper/out.txt')).toContain('F:DATE');
  });

  it('builds only what a label needs', async () => {
    ws = smallWorkspace();
    const r = await ws.build('//stats/lines');
    expect(r.targets.map((t) => t.label)).toEqual(['//raw/prices', '//stats/lines']);
    const all = await ws.build('//...');
    expect(builtLabels(all)).toEqual(['//features/upper', '//report/final']);
  });
});
