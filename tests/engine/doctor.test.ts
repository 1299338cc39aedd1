import { afterEach, describe, expect, it } from 'vitest';
import { smallWorkspace } from '../helpers/fixtures.js';
import type { TestWorkspace } from '../helpers/workspace.js';

describe('quanto doctor', () => {
  let ws: TestWorkspace;
  afterEach(() => {
    delete process.env.POLYGON_API_KEY;
    ws?.dispose();
  });

  it('checks node, the dependencies, DuckDB, TensorFlow.js, the cache and the disk, and says which keys are set without printing them', async () => {
    ws = smallWorkspace();
    await ws.build();
    process.env.POLYGON_API_KEY = 'pk_secret_value_123';
    const r = await ws.cli('doctor', '--full');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok {4}node {19}v20\./m);
    expect(r.out).toMatch(/^ok {4}duckdb .*in-memory query ran/m);
    expect(r.out).toMatch(/^ok {4}tensorflow\.js .*backend wasm/m);
    expect(r.out).toMatch(/^ok {4}cache {18}4 manifests, 4 blobs rehashed/m);
    expect(r.out).toMatch(/^ok {4}POLYGON_API_KEY {8}set$/m);
    expect(r.out).toMatch(/^- {5}APCA_API_KEY_ID {8}not set$/m);
    expect(r.out).not.toContain('pk_secret_value_123');
  });

  it('reports a damaged cache', async () => {
    ws = smallWorkspace();
    const built = await ws.build();
    const digest = built.targets[0]!.outputs['out.txt']!;
    const { chmodSync, readFileSync, writeFileSync, rmSync } = await import('node:fs');
    const blob = ws.path('cache/cas', digest.slice(0, 2), digest);
    chmodSync(blob, 0o644);
    writeFileSync(blob, 'tampered');
    let r = await ws.cli('doctor', '--full');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /^FAIL {2}cache .*output 'out.txt' \(blob [0-9a-f]{12}\) has the wrong size .*quanto gc --repair/m,
    );
    writeFileSync(blob, 'tampere'.padEnd(readFileSync(ws.path('data/prices.csv'), 'utf8').length, 'x'));
    r = await ws.cli('doctor', '--full');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL {2}cache .*no longer hashes to its name/m);
    rmSync(blob);
    r = await ws.cli('doctor');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL {2}cache .*output 'out.txt' \(blob [0-9a-f]{12}\) is missing from the cache/m);
    // A build notices the missing blob and rebuilds rather than trusting the manifest.
    const { rmSync: rm } = await import('node:fs');
    rm(ws.path('cache/out'), { recursive: true });
    const again = await ws.build();
    expect(again.status['//raw/prices']).toBe('built');
  });
});
