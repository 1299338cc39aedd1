import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, TestWorkspace } from '../helpers/workspace.js';

/**
 * A workspace with a package of its own in node_modules (beside a link to the repository's zod):
 * rule bundles bake package paths in, and this one moves with the workspace.
 */
function workspaceWithLocalPackage(): TestWorkspace {
  const ws = new TestWorkspace({
    'quanto.pipeline.yaml': 'targets:\n  raw/one:\n    rule: greet\n    config: configs/one.yaml\n',
    'configs/one.yaml': 'name: one\n',
    'rules/greet.ts': `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { greeting } from 'local-greeting';
export default {
  name: 'greet',
  version: 1,
  config: z.object({ name: z.string() }).strict(),
  outputs: ['out.txt'],
  run(ctx: any) {
    writeFileSync(join(ctx.outDir, 'out.txt'), greeting(ctx.config.name));
  },
};
`,
  });
  rmSync(ws.path('node_modules'));
  mkdirSync(ws.path('node_modules', 'local-greeting'), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules', 'zod'), ws.path('node_modules', 'zod'));
  writeFileSync(
    ws.path('node_modules', 'local-greeting', 'package.json'),
    JSON.stringify({ name: 'local-greeting', version: '1.0.0', type: 'module', main: 'index.js' }),
  );
  writeFileSync(
    ws.path('node_modules', 'local-greeting', 'index.js'),
    "export function greeting(name) { return 'hello ' + name + '\\n'; }\n",
  );
  return ws;
}

describe('a workspace moved or copied elsewhere keeps working', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  it('after mv: everything is still cached (keys hold no absolute path) and a rebuild loads the rule from the new place', async () => {
    const ws = workspaceWithLocalPackage();
    const moved = `${ws.root}-moved`;
    cleanups.push(
      () => rmSync(moved, { recursive: true, force: true }),
      () => ws.dispose(),
    );
    expect((await ws.build()).status).toEqual({ '//raw/one': 'built' });
    renameSync(ws.root, moved);
    const at = new TestWorkspaceAt(moved);
    const again = await at.build();
    expect(again.code, JSON.stringify(again.targets)).toBe(0);
    expect(again.status).toEqual({ '//raw/one': 'cached' });
    at.write('configs/one.yaml', 'name: two\n');
    const rebuilt = await at.build();
    expect(rebuilt.code, JSON.stringify(rebuilt.targets)).toBe(0);
    expect(rebuilt.status).toEqual({ '//raw/one': 'built' });
    expect(readFileSync(join(moved, 'cache/out/raw/one/out.txt'), 'utf8')).toBe('hello two\n');
  });

  it('after cp -a: the copy bundles its rules against its own node_modules, not the original', async () => {
    const ws = workspaceWithLocalPackage();
    const copy = `${ws.root}-copy`;
    cleanups.push(
      () => rmSync(copy, { recursive: true, force: true }),
      () => ws.dispose(),
    );
    expect((await ws.build()).code).toBe(0);
    cpSync(ws.root, copy, { recursive: true, verbatimSymlinks: true });
    const at = new TestWorkspaceAt(copy);
    at.write('configs/one.yaml', 'name: copy\n');
    const r = await at.build();
    expect(r.code, JSON.stringify(r.targets)).toBe(0);
    const bundles = readdirSync(join(copy, 'cache', 'rules')).map((f) =>
      readFileSync(join(copy, 'cache', 'rules', f), 'utf8'),
    );
    expect(bundles.some((b) => b.includes(`${copy}/node_modules/local-greeting`))).toBe(true);
    // The copy's build used the copy's bundle: the original's package can go and the copy still builds.
    rmSync(join(ws.root, 'node_modules', 'local-greeting'), { recursive: true });
    at.write('configs/one.yaml', 'name: copy again\n');
    expect((await at.build()).code).toBe(0);
  });
});

/** The TestWorkspace helpers on a directory that already exists (the moved or copied one). */
class TestWorkspaceAt extends TestWorkspace {
  constructor(root: string) {
    super({});
    rmSync(this.root, { recursive: true, force: true });
    (this as { root: string }).root = root;
  }
}
