import { afterEach, describe, expect, it } from 'vitest';
import { mergeConfig } from '../../src/engine/pipeline/config-extends.js';
import { keyInputFiles } from '../../src/engine/incremental/watch-inputs.js';
import { Session } from '../../src/engine/session.js';
import { smallWorkspace } from '../helpers/fixtures.js';
import { builtLabels, type TestWorkspace } from '../helpers/workspace.js';

/**
 * A config can `extends:` other YAML files (relative to itself): their keys are defaults, its own
 * win. The merged value is what the rule validates and the key holds, so an edit of a shared
 * file rebuilds exactly the targets whose configs extend it, through the no-op fast path too.
 */
describe('configs share blocks with extends:', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('merges maps key by key and replaces lists and scalars whole', () => {
    expect(
      mergeConfig({ risk: { a: 1, b: 2 }, slices: [1, 2], name: 'base' }, { risk: { b: 3 }, slices: [9], extra: true }),
    ).toEqual({ risk: { a: 1, b: 3 }, slices: [9], name: 'base', extra: true });
  });

  const shared = () =>
    smallWorkspace({
      'configs/blocks/style.yaml': '# shared style\nprefix: "S:"\nupper: false\n',
      'configs/upper.yaml': 'extends: blocks/style.yaml\nupper: true\n',
      'configs/raw.yaml': 'prefix: ""\n',
    });

  it("a target's config is the merge: the base's keys unless the config sets them", async () => {
    ws = shared();
    const r = await ws.build('//...');
    expect(r.code).toBe(0);
    // copy_text writes prefix + (upper ? TEXT : text): the base's prefix, the config's upper.
    expect(ws.read('cache/out/features/upper/out.txt')).toBe('S:DATE,CLOSE\n2020-01-02,100\n2020-01-03,101\n');
  });

  it('an edit of the shared file rebuilds what extends it and nothing else, also after a no-op build', async () => {
    ws = shared();
    expect((await ws.build('//...')).code).toBe(0);
    expect(builtLabels(await ws.build('//...'))).toEqual([]); // answered by the fast path
    ws.write('configs/blocks/style.yaml', 'prefix: "T:"\nupper: false\n');
    const r = await ws.build('//...');
    expect(builtLabels(r)).toEqual(['//features/upper', '//report/final']);
    expect(ws.read('cache/out/features/upper/out.txt').startsWith('T:')).toBe(true);
    // A comment-only edit changes no value: the key, and so the outputs, stay.
    ws.write('configs/blocks/style.yaml', '# a comment\nprefix: "T:"\nupper: false\n');
    expect(builtLabels(await ws.build('//...'))).toEqual([]);
  });

  it('watch mode watches the files a config extends', async () => {
    ws = shared();
    expect((await ws.build('//...')).code).toBe(0);
    const session = await Session.open(ws.root);
    expect(keyInputFiles(session, ['//features/upper'])).toContain(ws.path('configs/blocks/style.yaml'));
  });

  it('a missing base, a cycle, and a bad value in a base are located where they are written; exit 2', async () => {
    ws = smallWorkspace({ 'configs/upper.yaml': '# upper\nextends: nope.yaml\nupper: true\n' });
    let r = await ws.cli('build', '//features/upper', '--no-tui');
    expect(r.code).toBe(2);
    expect(r.err).toContain("configs/upper.yaml:2:10: key 'extends': configs/nope.yaml does not exist");

    ws.write('configs/upper.yaml', 'extends: a.yaml\n');
    ws.write('configs/a.yaml', 'extends: upper.yaml\n');
    r = await ws.cli('build', '//features/upper', '--no-tui');
    expect(r.code).toBe(2);
    expect(r.err).toContain('extends itself through configs/upper.yaml -> configs/a.yaml -> configs/upper.yaml');

    ws.write('configs/upper.yaml', 'extends: [a.yaml]\nupper: true\n');
    ws.write('configs/a.yaml', '# base\nprefix: 7\n');
    r = await ws.cli('build', '//features/upper', '--no-tui');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/configs\/a\.yaml:2:9: target 'features\/upper': key 'prefix': /);
  });
});
