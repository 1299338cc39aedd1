import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { smallWorkspace } from '../helpers/fixtures.js';
import type { TestWorkspace } from '../helpers/workspace.js';

const PRICES = 'date,close\n2020-01-02,100\n2020-01-03,101\n';

/** Changes one byte of a blob in place, keeping its size: what a bad disk or a stray editor does. */
function flipOneByte(ws: TestWorkspace, digest: string): void {
  const blob = ws.path('cache/cas', digest.slice(0, 2), digest);
  chmodSync(blob, 0o644);
  const bytes = readFileSync(blob);
  bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0x01; // 101 -> 100: a wrong close, same size
  writeFileSync(blob, bytes);
}

function blobPath(ws: TestWorkspace, digest: string): string {
  return ws.path('cache/cas', digest.slice(0, 2), digest);
}

describe('cache integrity: the store never feeds a wrong byte forward', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  for (const jobs of ['0', '2']) {
    it(`a byte flipped in an input blob is caught before the dependent reads it, and its producer is rebuilt (--jobs ${jobs})`, async () => {
      ws = smallWorkspace();
      const first = await ws.build('--jobs', jobs);
      const raw = first.targets.find((t) => t.label === '//raw/prices')!.outputs['out.txt']!;
      flipOneByte(ws, raw);
      // The dependent must rebuild: its config changed. It reads //raw/prices.
      ws.write('configs/upper.yaml', 'upper: true\nprefix: "G:"\n');
      const r = await ws.cli('build', '--jobs', jobs, '--json');
      expect(r.code).toBe(0);
      const result = JSON.parse(r.out) as {
        targets: { label: string; status: string }[];
        repaired: { target: string; output: string; digest: string; problem: string }[];
      };
      expect(result.repaired).toEqual([{ target: '//raw/prices', output: 'out.txt', digest: raw, problem: 'hash' }]);
      const status = Object.fromEntries(result.targets.map((t) => [t.label, t.status]));
      expect(status['//raw/prices']).toBe('built');
      expect(status['//features/upper']).toBe('built');
      // Nothing downstream saw the damaged close.
      expect(ws.read('cache/out/features/upper/out.txt')).toBe(`G:${PRICES.toUpperCase()}`);
      expect(ws.read('cache/out/raw/prices/out.txt')).toBe(PRICES);
      expect(readFileSync(blobPath(ws, raw), 'utf8')).toBe(PRICES);
    });
  }

  it('the plain log says which blob was damaged and what it rebuilds', async () => {
    ws = smallWorkspace();
    const first = await ws.build();
    flipOneByte(ws, first.targets.find((t) => t.label === '//raw/prices')!.outputs['out.txt']!);
    ws.write('configs/upper.yaml', 'upper: false\nprefix: "G:"\n');
    const r = await ws.cli('build', '--no-tui');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^REPAIR {2}\/\/raw\/prices: output 'out.txt' \(blob [0-9a-f]{12}\) no longer hashes to its name \(its bytes were changed\); rebuilding \/\/raw\/prices$/m,
    );
    expect(r.out).toMatch(/^BUILT {3}\/\/raw\/prices/m);
    expect(r.out).not.toMatch(/SKIPPED|FAILED/);
  });

  it('a blob deleted from the store: the no-op fast path notices, and a later dependent rebuild does not fail on ENOENT', async () => {
    ws = smallWorkspace();
    const first = await ws.build();
    const raw = first.targets.find((t) => t.label === '//raw/prices')!.outputs['out.txt']!;
    rmSync(blobPath(ws, raw));
    // cache/out still has the file (a hard link): a no-op build must not take it as proof.
    expect(existsSync(ws.path('cache/out/raw/prices/out.txt'))).toBe(true);
    const noop = await ws.build();
    expect(noop.code).toBe(0);
    expect(noop.status['//raw/prices']).toBe('built');
    expect((noop as unknown as { repaired: { problem: string }[] }).repaired).toEqual([
      expect.objectContaining({ target: '//raw/prices', problem: 'missing' }),
    ]);
    expect(existsSync(blobPath(ws, raw))).toBe(true);
    // And again, with the dependent rebuilding in the same build as the repair.
    rmSync(blobPath(ws, raw));
    ws.write('configs/upper.yaml', 'upper: true\nprefix: "H:"\n');
    const again = await ws.build();
    expect(again.code).toBe(0);
    expect(again.status['//raw/prices']).toBe('built');
    expect(again.status['//features/upper']).toBe('built');
    expect(ws.read('cache/out/features/upper/out.txt')).toBe(`H:${PRICES.toUpperCase()}`);
  });

  it('a truncated blob is a miss found by its size alone', async () => {
    ws = smallWorkspace();
    const first = await ws.build();
    const raw = first.targets.find((t) => t.label === '//raw/prices')!.outputs['out.txt']!;
    chmodSync(blobPath(ws, raw), 0o644);
    writeFileSync(blobPath(ws, raw), PRICES.slice(0, 10));
    const r = await ws.build();
    expect(r.code).toBe(0);
    expect(r.status['//raw/prices']).toBe('built');
    expect(ws.read('cache/out/raw/prices/out.txt')).toBe(PRICES);
  });

  it('a manifest truncated and then gc: the next builds rebuild instead of failing forever', async () => {
    ws = smallWorkspace();
    const first = await ws.build();
    const rawKey = first.targets.find((t) => t.label === '//raw/prices')!.key!;
    writeFileSync(ws.path('cache/ac', rawKey.slice(0, 2), `${rawKey}.json`), '{"manifestFormat":1,"lab');
    expect((await ws.cli('gc')).code).toBe(0);
    ws.write('configs/upper.yaml', 'upper: true\nprefix: "J:"\n');
    for (let i = 0; i < 2; i++) {
      const r = await ws.build();
      expect(r.code).toBe(0);
      expect(r.failed).toBe(0);
    }
    expect(ws.read('cache/out/features/upper/out.txt')).toBe(`J:${PRICES.toUpperCase()}`);
  });

  it('a damaged blob about to be linked into cache/out afresh is rehashed and rebuilt', async () => {
    ws = smallWorkspace();
    const first = await ws.build();
    const raw = first.targets.find((t) => t.label === '//raw/prices')!.outputs['out.txt']!;
    rmSync(ws.path('cache/out'), { recursive: true });
    rmSync(ws.path('cache/state'), { recursive: true });
    flipOneByte(ws, raw);
    const r = await ws.build();
    expect(r.status['//raw/prices']).toBe('built');
    expect(ws.read('cache/out/raw/prices/out.txt')).toBe(PRICES);
  });

  it('verify rehashes what it compares: a flipped byte fails it, names the blob and takes it out', async () => {
    ws = smallWorkspace();
    const first = await ws.build();
    const raw = first.targets.find((t) => t.label === '//raw/prices')!.outputs['out.txt']!;
    flipOneByte(ws, raw);
    const r = await ws.cli('verify');
    expect(r.code).toBe(1);
    expect(r.out).toContain(`DAMAGED  //raw/prices out.txt: blob ${raw} no longer hashes to its name`);
    expect(r.out).toMatch(/1 damaged in the cache/);
    expect(existsSync(blobPath(ws, raw))).toBe(false);
    const after = await ws.build();
    expect(after.status['//raw/prices']).toBe('built');
    expect((await ws.cli('verify')).code).toBe(0);
  });

  it('doctor --full exits 1 on a flipped byte; gc --repair takes the blob out and the next build rebuilds it', async () => {
    ws = smallWorkspace();
    const first = await ws.build();
    const raw = first.targets.find((t) => t.label === '//raw/prices')!.outputs['out.txt']!;
    flipOneByte(ws, raw);
    expect((await ws.cli('doctor')).code).toBe(0); // sizes alone cannot see a flipped byte
    const doctor = await ws.cli('doctor', '--full');
    expect(doctor.code).toBe(1);
    expect(doctor.out).toMatch(
      /^FAIL {2}cache .*\/\/raw\/prices: output 'out.txt' .*no longer hashes to its name.*quanto gc --repair/m,
    );
    const plainGc = await ws.cli('gc');
    expect(plainGc.code).toBe(0);
    expect(existsSync(blobPath(ws, raw))).toBe(true); // plain gc only checks sizes
    const gc = await ws.cli('gc', '--repair');
    expect(gc.code).toBe(0);
    expect(gc.out).toMatch(/took out 1 damaged blob\(s\) and 1 manifest\(s\)/);
    expect(existsSync(blobPath(ws, raw))).toBe(false);
    expect((await ws.cli('doctor', '--full')).code).toBe(0);
    const after = await ws.build();
    expect(after.status['//raw/prices']).toBe('built');
    expect(ws.read('cache/out/raw/prices/out.txt')).toBe(PRICES);
  });
});
