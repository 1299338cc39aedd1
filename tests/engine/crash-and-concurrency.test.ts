import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SLOW_RULE } from '../helpers/fixtures.js';
import { TestWorkspace, type BuildJson } from '../helpers/workspace.js';

/** A chain of 4 layers x 3 targets of the slow rule; each action takes ~150 ms. */
function slowWorkspace(): TestWorkspace {
  const lines = ['targets:'];
  for (let l = 0; l < 4; l++) {
    for (let i = 0; i < 3; i++) {
      lines.push(`  l${l}/t${i}:`, '    rule: slow', '    config: configs/slow.yaml');
      if (l > 0)
        lines.push(
          `    deps: [//l${l - 1}/t0, //l${l - 1}/t${i}]`.replace(`//l${l - 1}/t0, //l${l - 1}/t0`, `//l${l - 1}/t0`),
        );
    }
  }
  return new TestWorkspace({
    'quanto.pipeline.yaml': lines.join('\n') + '\n',
    'rules/slow.ts': SLOW_RULE,
    'configs/slow.yaml': 'ms: 150\n',
  });
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Every action-cache entry parses and names blobs that exist and hash right. */
function assertCacheConsistent(ws: TestWorkspace): number {
  let manifests = 0;
  for (const file of listFiles(ws.path('cache/ac'))) {
    if (!file.endsWith('.json')) continue; // a temp file of a killed write is not an entry
    const m = JSON.parse(readFileSync(file, 'utf8')) as { outputs: Record<string, { digest: string }> };
    for (const { digest } of Object.values(m.outputs))
      expect(existsSync(ws.path('cache/cas', digest.slice(0, 2), digest))).toBe(true);
    manifests += 1;
  }
  return manifests;
}

describe('crash safety and concurrent builds', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('a build killed with SIGKILL mid-way leaves no entry a later build could mistake; the next build finishes the job', async () => {
    ws = slowWorkspace();
    const reference = ws.runCliSync(['build', '--json', '--jobs', '2']);
    expect(reference.code).toBe(0);
    const expected = JSON.parse(reference.out) as BuildJson;
    // Start over and kill the build part-way through.
    ws.runCliSync(['clean']);
    const child = ws.spawnCli(['build', '--jobs', '2']);
    let seen = '';
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
      if ((seen.match(/BUILT/g) ?? []).length >= 3) child.kill('SIGKILL');
    });
    await once(child, 'exit');
    expect(child.signalCode).toBe('SIGKILL');
    const committed = assertCacheConsistent(ws);
    expect(committed).toBeGreaterThanOrEqual(3);
    expect(committed).toBeLessThan(12);

    const resumed = JSON.parse(ws.runCliSync(['build', '--json']).out) as BuildJson;
    expect(resumed.failed).toBe(0);
    expect(resumed.cached).toBeGreaterThanOrEqual(3);
    expect(resumed.built + resumed.cached).toBe(12);
    // Same keys and same bytes as the uninterrupted build.
    expect(resumed.targets.map((t) => [t.label, t.key, t.outputs])).toEqual(
      expected.targets.map((t) => [t.label, t.key, t.outputs]),
    );
    expect(assertCacheConsistent(ws)).toBe(12);
  });

  it('kills at several moments (during bundling, hashing, commits) never corrupt the cache', async () => {
    ws = slowWorkspace();
    for (const delayMs of [60, 250, 420, 700]) {
      const child = ws.spawnCli(['build', '--jobs', '2']);
      await new Promise((r) => setTimeout(r, delayMs));
      child.kill('SIGKILL');
      await once(child, 'exit');
      assertCacheConsistent(ws);
    }
    const final = JSON.parse(ws.runCliSync(['build', '--json']).out) as BuildJson;
    expect(final.failed).toBe(0);
    expect(final.built + final.cached).toBe(12);
    expect((await ws.cli('verify', '--jobs', '2')).code).toBe(0);
  });

  it('two builds of one workspace at the same time both succeed with the same, correct results', async () => {
    ws = slowWorkspace();
    const a = ws.spawnCli(['build', '--json', '--jobs', '2']);
    const b = ws.spawnCli(['build', '--json', '--jobs', '2']);
    const outA: string[] = [];
    const outB: string[] = [];
    a.stdout!.on('data', (d: Buffer) => outA.push(d.toString()));
    b.stdout!.on('data', (d: Buffer) => outB.push(d.toString()));
    const [[codeA], [codeB]] = await Promise.all([once(a, 'exit'), once(b, 'exit')]);
    expect(codeA).toBe(0);
    expect(codeB).toBe(0);
    const ra = JSON.parse(outA.join('')) as BuildJson;
    const rb = JSON.parse(outB.join('')) as BuildJson;
    expect(ra.targets.map((t) => [t.label, t.key, t.outputs])).toEqual(
      rb.targets.map((t) => [t.label, t.key, t.outputs]),
    );
    assertCacheConsistent(ws);
    // And a third build agrees and has nothing to do.
    const third = await ws.build();
    expect(third.built).toBe(0);
    expect(third.targets.map((t) => t.outputs)).toEqual(ra.targets.map((t) => t.outputs));
    expect(ws.read('cache/out/l3/t2/out.txt')).toMatch(/^\/\/l3\/t2 <- /);
  });
});
