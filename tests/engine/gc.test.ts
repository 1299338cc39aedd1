import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { smallWorkspace } from '../helpers/fixtures.js';
import type { TestWorkspace } from '../helpers/workspace.js';

function count(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
}

describe('gc and clean', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('gc drops what the pipeline no longer reaches and keeps what promotion records name', async () => {
    ws = smallWorkspace();
    const first = await ws.build();
    const oldFeatures = first.targets.find((t) => t.label === '//features/upper')!;
    const oldReport = first.targets.find((t) => t.label === '//report/final')!;
    // A promotion record pins the old report (by key) and the old features output (by digest).
    ws.write(
      'promotions/candidate/report.json',
      JSON.stringify({ tier: 'candidate', key: oldReport.key, provenance: [oldFeatures.outputs['out.txt']] }),
    );
    ws.write('configs/upper.yaml', 'upper: false\nprefix: "F2:"\n');
    await ws.build();
    expect(count(ws.path('cache/ac'))).toBe(6);

    const r = await ws.cli('gc');
    expect(r.code).toBe(0);
    // Current: 4 actions; pinned: the old report (by key). The old features manifest goes, its blob stays.
    expect(r.out).toMatch(/kept 5 actions and \d+ blobs; removed 1 actions/);
    expect(
      existsSync(ws.path('cache/cas', oldFeatures.outputs['out.txt']!.slice(0, 2), oldFeatures.outputs['out.txt']!)),
    ).toBe(true);
    expect(existsSync(ws.path('cache/ac', oldReport.key!.slice(0, 2), `${oldReport.key}.json`))).toBe(true);
    // The current pipeline is still fully cached.
    expect((await ws.build()).built).toBe(0);
  });

  it('gc without promotion records keeps exactly the current pipeline; clean removes the cache', async () => {
    ws = smallWorkspace();
    await ws.build();
    ws.write('data/prices.csv', 'date,close\n');
    await ws.build();
    await ws.cli('gc');
    expect(count(ws.path('cache/ac'))).toBe(4);
    expect((await ws.build()).built).toBe(0);
    const r = await ws.cli('clean');
    expect(r.code).toBe(0);
    expect(existsSync(ws.path('cache'))).toBe(false);
    expect((await ws.build()).built).toBe(4);
  });

  it('gc refuses while a build holds the workspace; a lock of a dead process is ignored', async () => {
    ws = smallWorkspace();
    await ws.build();
    mkdirSync(ws.path('cache/locks'), { recursive: true });
    // Our parent process is alive: pretend it is building.
    writeFileSync(ws.path('cache/locks', `build-${process.ppid}`), '');
    const r = await ws.cli('gc');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`a build is running (pid ${process.ppid})`);
    // clean waits for the build too, and says so in its own name.
    const clean = await ws.cli('clean');
    expect(clean.code).toBe(1);
    expect(clean.err).toContain(`a build is running (pid ${process.ppid}); run clean when it has finished`);
    expect(existsSync(ws.path('cache', 'ac'))).toBe(true);
    // While gc holds the lock, a build refuses.
    rmSync(ws.path('cache/locks', `build-${process.ppid}`));
    writeFileSync(ws.path('cache/locks', `gc-${process.ppid}`), '');
    const b = await ws.cli('build');
    expect(b.code).toBe(1);
    expect(b.err).toContain('garbage collection is running');
    rmSync(ws.path('cache/locks', `gc-${process.ppid}`));
    writeFileSync(ws.path('cache/locks', 'build-999999999'), '');
    expect((await ws.cli('gc')).code).toBe(0);
    expect(existsSync(ws.path('cache/locks', 'build-999999999'))).toBe(false);
  });
});
