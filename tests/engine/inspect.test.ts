import { afterEach, describe, expect, it } from 'vitest';
import { diffValues } from '../../src/engine/incremental/explain.js';
import { smallWorkspace } from '../helpers/fixtures.js';
import type { TestWorkspace } from '../helpers/workspace.js';

describe('explain, show, ls, graph, query', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('explain names the config key that changed, and the rule file', async () => {
    ws = smallWorkspace();
    expect((await ws.cli('explain', '//features/upper')).out).toMatch(
      /^\/\/features\/upper: would build: no earlier build/,
    );
    await ws.build();
    expect((await ws.cli('explain', '//features/upper')).out).toMatch(
      /^\/\/features\/upper: up to date \(key [0-9a-f]{12}\)/,
    );
    ws.write('configs/upper.yaml', 'upper: false\nprefix: "F:"\n');
    ws.write('rules/lib/format.ts', ws.read('rules/lib/format.ts') + '// edited\n');
    const out = (await ws.cli('explain', '//features/upper')).out;
    expect(out).toMatch(/^\/\/features\/upper: would rebuild \(key [0-9a-f]{12} -> [0-9a-f]{12}\) because:$/m);
    expect(out).toMatch(/^ {2}config\.upper: true -> false$/m);
    expect(out).toMatch(/^ {2}rule\.sources\["rules\/lib\/format\.ts"\]: [0-9a-f]{64} -> [0-9a-f]{64}$/m);
  });

  it('explain follows an out-of-date dependency down to the edit that started it', async () => {
    ws = smallWorkspace();
    await ws.build();
    ws.write('data/prices.csv', 'date,close\n');
    const r = await ws.cli('explain', '//report/final', '--json');
    const [e] = JSON.parse(r.out) as {
      verdict: string;
      changes: { path: string }[];
      because: { label: string; because: { label: string; changes: { path: string }[] }[] }[];
    }[];
    expect(e!.verdict).toBe('rebuild');
    expect(e!.changes.map((c) => c.path)).toEqual(['deps["//features/upper"]', 'deps["//stats/lines"]']);
    expect(e!.because.map((b) => b.label)).toEqual(['//features/upper', '//stats/lines']);
    const raw = e!.because[0]!.because[0]!;
    expect(raw.label).toBe('//raw/prices');
    expect(raw.changes.map((c) => c.path)).toEqual(['srcs["data/prices.csv"]']);
    const text = (await ws.cli('explain', '//report/final')).out;
    expect(text).toContain('      //raw/prices: would rebuild');
  });

  it('show prints the manifest, the status and the stable output paths', async () => {
    ws = smallWorkspace();
    const never = await ws.cli('show', '//raw/prices');
    expect(never.code).toBe(0);
    expect(never.out).toContain('status:   never built');
    await ws.build();
    const text = await ws.cli('show', '//raw/prices');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/status: {3}up to date/);
    expect(text.out).toMatch(/rule: {5}copy_text v1/);
    expect(text.out).toMatch(/out\.txt {2}[0-9a-f]{12} {2}41 B, 3 rows {2}cache\/out\/raw\/prices\/out\.txt/);
    const json = JSON.parse((await ws.cli('show', '//raw/prices', '--json')).out) as {
      key: string;
      manifest: {
        record: { rule: { sources: Record<string, string> }; srcs: Record<string, string> };
        rows: Record<string, number>;
      };
    };
    expect(Object.keys(json.manifest.record.rule.sources)).toEqual(['rules/copy_text.ts', 'rules/lib/format.ts']);
    expect(Object.keys(json.manifest.record.srcs)).toEqual(['data/prices.csv']);
    ws.write('configs/raw.yaml', 'prefix: ">"\n');
    expect((await ws.cli('show', '//raw/prices')).out).toContain('out of date (quanto explain //raw/prices says why)');
  });

  it('ls, graph (text, dot, json) and query', async () => {
    ws = smallWorkspace();
    expect((await ws.cli('ls')).out).toBe(
      '//raw/prices  copy_text\n//features/upper  copy_text\n//stats/lines  line_count\n//report/final  copy_text\n',
    );
    const text = (await ws.cli('graph', '//report/final')).out;
    expect(text).toBe(
      '//report/final  [copy_text]\n  //stats/lines  [line_count]\n    //raw/prices  [copy_text]\n  //features/upper  [copy_text]\n    //raw/prices  [copy_text]\n',
    );
    const dot = (await ws.cli('graph', '--format', 'dot')).out;
    expect(dot).toContain('"//report/final" -> "//stats/lines";');
    const json = JSON.parse((await ws.cli('graph', '//stats/lines', '--format', 'json')).out) as {
      targets: { label: string; deps: string[] }[];
    };
    expect(json.targets).toMatchObject([
      { label: '//raw/prices', deps: [] },
      { label: '//stats/lines', deps: ['//raw/prices'] },
    ]);
    expect((await ws.cli('query', 'deps(//stats/lines)')).out).toBe('//raw/prices\n//stats/lines\n');
    expect((await ws.cli('query', 'rdeps(//features/upper)')).out).toBe('//features/upper\n//report/final\n');
    expect((await ws.cli('query', 'somepath(//report/final, //raw/prices)')).out).toBe(
      '//report/final\n//stats/lines\n//raw/prices\n',
    );
    expect((await ws.cli('query', 'somepath(//raw/prices,//report/final)')).out).toBe('');
    const bad = await ws.cli('query', 'everything(//x)');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('use deps(//x), rdeps(//x) or somepath(//a,//b)');
  });
});

describe('explain inside lists', () => {
  it('an edit to one element of a list is named by its index', () => {
    expect(
      diffValues(
        { set: { features: [{ name: 'a', window: 30 }, { name: 'b' }] } },
        { set: { features: [{ name: 'a', window: 21 }, { name: 'b' }] } },
        'config',
      ),
    ).toEqual([{ path: 'config.set.features[0].window', before: 30, after: 21 }]);
    expect(diffValues({ xs: [1, 2] }, { xs: [1, 2, 3] }, '')).toEqual([
      { path: 'xs', before: [1, 2], after: [1, 2, 3] },
    ]);
  });
});
