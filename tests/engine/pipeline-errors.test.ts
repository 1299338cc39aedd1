import { afterEach, describe, expect, it } from 'vitest';
import { COPY_TEXT_RULE, FORMAT_LIB } from '../helpers/fixtures.js';
import { TestWorkspace } from '../helpers/workspace.js';

function workspace(pipeline: string, extra: Record<string, string> = {}): TestWorkspace {
  return new TestWorkspace({
    'quanto.pipeline.yaml': pipeline,
    'rules/copy_text.ts': COPY_TEXT_RULE,
    'rules/lib/format.ts': FORMAT_LIB,
    'configs/ok.yaml': 'prefix: x\n',
    ...extra,
  });
}

/** Every bad-pipeline error exits 2 with a one-paragraph message and no stack trace. */
async function expectConfigError(ws: TestWorkspace, ...patterns: RegExp[]): Promise<string> {
  const r = await ws.cli('build', '//...');
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/^quanto: error: /);
  expect(r.err).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack frames
  for (const p of patterns) expect(r.err).toMatch(p);
  return r.err;
}

describe('bad pipelines are clear errors with file, line, target and key; exit status 2', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('reports a cycle with the whole cycle and where each edge is written', async () => {
    ws = workspace(`targets:
  a:
    rule: copy_text
    deps: [//b]
  b:
    rule: copy_text
    deps: [//c]
  c:
    rule: copy_text
    deps: [//a]
  d:
    rule: copy_text
`);
    const err = await expectConfigError(ws, /dependency cycle: \/\/a -> \/\/b -> \/\/c -> \/\/a/);
    expect(err).toContain('quanto.pipeline.yaml:4:12: //a depends on //b');
    expect(err).toContain('quanto.pipeline.yaml:7:12: //b depends on //c');
    expect(err).toContain('quanto.pipeline.yaml:10:12: //c depends on //a');
  });

  it('reports a self-dependency as a cycle', async () => {
    ws = workspace('targets:\n  a:\n    rule: copy_text\n    deps: [//a]\n');
    await expectConfigError(ws, /dependency cycle: \/\/a -> \/\/a/);
  });

  it('reports an unknown rule with the known ones', async () => {
    ws = workspace('targets:\n  a:\n    rule: no_such_rule\n');
    await expectConfigError(ws, /unknown rule 'no_such_rule'/, /known rules: .*copy_text/, /hash_inputs/);
  });

  it('reports a missing dependency with a suggestion', async () => {
    ws = workspace(
      'targets:\n  raw/prices:\n    rule: copy_text\n  b:\n    rule: copy_text\n    deps: [//raw/price]\n',
    );
    await expectConfigError(
      ws,
      /quanto\.pipeline\.yaml:6:12: target 'b': key 'deps\[0\]': unknown dependency \/\/raw\/price \(did you mean \/\/raw\/prices\?\)/,
    );
  });

  it('reports a duplicate target name with both lines', async () => {
    ws = workspace('targets:\n  a:\n    rule: copy_text\n  b:\n    rule: copy_text\n  a:\n    rule: copy_text\n');
    await expectConfigError(
      ws,
      /quanto\.pipeline\.yaml:6:3: duplicate key 'a' \(first at quanto\.pipeline\.yaml:2:3\)/,
    );
  });

  it('reports an unknown key in a target', async () => {
    ws = workspace('targets:\n  a:\n    rule: copy_text\n    dependencies: [//b]\n');
    await expectConfigError(ws, /quanto\.pipeline\.yaml:4:5: target 'a': unknown key 'dependencies'/);
  });

  it('reports a wrongly typed key', async () => {
    ws = workspace('targets:\n  a:\n    rule: copy_text\n    deps: //b\n');
    await expectConfigError(ws, /quanto\.pipeline\.yaml:4:11: target 'a': key 'deps': /);
  });

  it('reports a bad config value at its line in the config file', async () => {
    ws = workspace('targets:\n  a:\n    rule: copy_text\n    config: configs/bad.yaml\n', {
      'configs/bad.yaml': '# comment\nprefix: 3\nupper: yes please\n',
    });
    await expectConfigError(
      ws,
      /invalid config configs\/bad\.yaml for rule 'copy_text'/,
      /configs\/bad\.yaml:2:9: target 'a': key 'prefix': .*string/,
      /configs\/bad\.yaml:3:8: target 'a': key 'upper': .*boolean/,
    );
  });

  it('reports an unknown config key', async () => {
    ws = workspace('targets:\n  a:\n    rule: copy_text\n    config: configs/bad.yaml\n', {
      'configs/bad.yaml': 'prefix: a\nupperr: true\n',
    });
    await expectConfigError(ws, /configs\/bad\.yaml:2:1: target 'a': key '\(top level\)': .*upperr/);
  });

  it('reports a missing config file and a missing source file', async () => {
    ws = workspace('targets:\n  a:\n    rule: copy_text\n    config: configs/nope.yaml\n    srcs: [data/none.csv]\n');
    await expectConfigError(
      ws,
      /:4:13: target 'a': key 'config': file 'configs\/nope\.yaml' does not exist/,
      /:5:12: target 'a': key 'srcs\[0\]': file 'data\/none\.csv' does not exist/,
    );
  });

  it('a missing config or source fails only the builds that need it: ls, graph and other targets still work', async () => {
    ws = workspace(
      'targets:\n  a:\n    rule: copy_text\n    config: configs/nope.yaml\n  b:\n    rule: copy_text\n    config: configs/ok.yaml\n  c:\n    rule: copy_text\n    deps: [//a]\n    srcs: [data/later.csv]\n',
    );
    const ls = await ws.cli('ls');
    expect(ls.code, ls.err).toBe(0);
    expect(ls.out).toMatch(/\/\/a\b[\s\S]*\/\/b\b[\s\S]*\/\/c\b/);
    expect((await ws.cli('graph')).code).toBe(0);
    const b = await ws.build('//b');
    expect(b.code).toBe(0);
    expect(b.status).toEqual({ '//b': 'built' });
    // What needs the missing files fails, naming each where it is written, exit 2.
    const c = await ws.cli('build', '//c');
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/:11:12: target 'c': key 'srcs\[0\]': file 'data\/later\.csv' does not exist/);
    expect(c.err).toMatch(/:4:13: target 'a': key 'config': file 'configs\/nope\.yaml' does not exist/);
    // The files appear: the same pipeline (from its cached parse) builds.
    ws.write('configs/nope.yaml', 'prefix: now\n');
    ws.write('data/later.csv', 'x\n');
    expect((await ws.build('//c')).code).toBe(0);
    // And go away again: a no-op build notices, rather than answering from its stamp.
    (await import('node:fs')).rmSync(ws.path('data/later.csv'));
    expect((await ws.cli('build', '//c')).code).toBe(2);
  });

  it('reports invalid YAML with its position', async () => {
    ws = workspace('targets:\n  a:\n    rule: [copy_text\n');
    await expectConfigError(ws, /quanto\.pipeline\.yaml:\d+:\d+: invalid YAML/);
  });

  it('reports a target whose output directory would contain another target', async () => {
    ws = workspace('targets:\n  raw:\n    rule: copy_text\n  raw/prices:\n    rule: copy_text\n');
    await expectConfigError(ws, /target 'raw': its output directory would contain target 'raw\/prices'/);
  });

  it('reports bad labels on the command line with exit status 2', async () => {
    ws = workspace('targets:\n  a:\n    rule: copy_text\n');
    for (const label of ['a', '//nope', '//a@x', '//a@symbol=X', '//nope/...']) {
      const r = await ws.cli('build', label);
      expect(r.code, label).toBe(2);
      expect(r.err, label).toMatch(/^quanto: error: /);
    }
  });

  it('reports a bad flag with exit status 2', async () => {
    ws = workspace('targets:\n  a:\n    rule: copy_text\n');
    expect((await ws.cli('build', '--jobs', 'many')).code).toBe(2);
    expect((await ws.cli('frobnicate')).code).toBe(2);
    expect((await ws.cli('--help')).code).toBe(0);
  });

  it('reports a rule that does not compile, and a malformed rule', async () => {
    ws = workspace('targets:\n  a:\n    rule: broken\n  b:\n    rule: shapeless\n', {
      'rules/broken.ts': 'export default { name: "broken", version: 1, run( };\n',
      'rules/shapeless.ts': 'export default { name: "other", version: -1 };\n',
    });
    let r = await ws.cli('build', '//a');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/rule 'broken' does not compile:\n\s+rules\/broken\.ts:1:\d+: /);
    r = await ws.cli('build', '//b');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /rule 'shapeless' \(rules\/shapeless\.ts\) is malformed: its name is 'other'.*version must be.*config must be a zod schema.*outputs must be.*run must be a function/,
    );
  });

  it('reports a missing pipeline file', async () => {
    ws = new TestWorkspace({});
    const r = await ws.cli('build');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/quanto\.pipeline\.yaml: file not found/);
  });
});
