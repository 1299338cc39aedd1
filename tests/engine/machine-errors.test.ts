import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QUANTO_BIN, REPO_ROOT, TestWorkspace } from '../helpers/workspace.js';

const BIG_RULE = `import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
export default {
  name: 'big',
  version: 1,
  config: z.object({ mib: z.number().default(16) }).strict(),
  outputs: ['out.bin'],
  run(ctx: any) {
    writeFileSync(join(ctx.outDir, 'out.bin'), Buffer.alloc(ctx.config.mib << 20, 7));
  },
};
`;

function bigWorkspace(): TestWorkspace {
  return new TestWorkspace({
    'quanto.pipeline.yaml': 'targets:\n  big/one:\n    rule: big\n',
    'rules/big.ts': BIG_RULE,
  });
}

/** A small tmpfs to fill, when this process may mount one (root on Linux). */
function smallDisk(sizeKib: number): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'quanto-smalldisk-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKib}k`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return dir;
}

const canMount = (() => {
  const d = smallDisk(64);
  if (!d) return false;
  spawnSync('umount', [d]);
  rmSync(d, { recursive: true, force: true });
  return true;
})();
if (!canMount)
  console.warn('machine-errors: skipping the full-disk tests: they need root and permission to mount a tmpfs');
/** True when another user may reach the checkout (every directory above it lets others through), as user nobody must. */
function othersCanReach(path: string): boolean {
  for (let dir = path; ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (dirname(dir) === dir) return true;
  }
}
const isRoot = process.getuid?.() === 0;
const asNobody = isRoot && othersCanReach(REPO_ROOT);
if (!asNobody)
  console.warn(
    `machine-errors: skipping the permission-denied test: it runs the CLI as user nobody, which needs root and a checkout other users can reach (${REPO_ROOT} is not)`,
  );

describe('errors of the machine are clear messages with exit 2, never a stack trace or an abort', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0).reverse()) c();
  });
  /** A workspace of the big rule and a small disk for its cache, both gone after the test. */
  const setUp = (sizeKib: number): { disk: string; ws: TestWorkspace } => {
    const disk = smallDisk(sizeKib)!;
    cleanups.push(() => {
      spawnSync('umount', [disk]);
      rmSync(disk, { recursive: true, force: true });
    });
    const ws = bigWorkspace();
    cleanups.push(() => ws.dispose());
    return { disk, ws };
  };
  /** `quanto build` as a child process, the cache on the small disk. */
  const buildOn = (ws: TestWorkspace, disk: string, ...args: string[]) =>
    spawnSync(process.execPath, [QUANTO_BIN, '-C', ws.root, 'build', '--no-tui', ...args], {
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', QUANTO_CACHE_DIR: join(disk, 'cache') },
    });

  it.skipIf(!canMount)(
    'a disk that fills during a build: the action fails saying so, the summary is printed, exit 2',
    () => {
      const { disk, ws } = setUp(12 * 1024); // above the 8 MiB a build needs to start, below what the rule writes
      for (const jobs of ['0', '1']) {
        const built = buildOn(ws, disk, '--jobs', jobs);
        expect(built.status, built.stdout + built.stderr).toBe(2);
        expect(built.stdout).toMatch(
          /^FAILED {2}\/\/big\/one.*cannot write .*: no space left on the device \(ENOSPC\); free space there/m,
        );
        expect(built.stdout).toMatch(/^quanto: 0 built, 0 cached, 1 failed/m);
        expect(built.stderr).not.toMatch(/internal error| {4}at /);
      }
    },
  );

  it.skipIf(!canMount)('a disk that is already full: the build refuses before it starts, exit 2', () => {
    const { disk, ws } = setUp(4096);
    mkdirSync(join(disk, 'cache'));
    spawnSync('dd', ['if=/dev/zero', `of=${join(disk, 'fill')}`, 'bs=64k'], { encoding: 'utf8' });
    const built = buildOn(ws, disk);
    expect(built.status).toBe(2);
    expect(built.stderr).toMatch(
      /^quanto: error: cannot build: the disk of .*cache has \d+ KiB free; free space there/m,
    );
  });

  it.skipIf(!canMount)('a cache on a read-only file system: one line naming the path, exit 2', () => {
    const { disk, ws } = setUp(16 * 1024);
    mkdirSync(join(disk, 'cache'));
    expect(spawnSync('mount', ['-o', 'remount,ro', disk]).status).toBe(0);
    const built = buildOn(ws, disk);
    expect(built.status, built.stdout + built.stderr).toBe(2);
    expect(built.stderr).toMatch(
      new RegExp(
        `^quanto: error: cannot write ${disk}/cache(/\\S+)?: the file system is read-only \\(EROFS\\); make it writable for this user, or set QUANTO_CACHE_DIR`,
        'm',
      ),
    );
    expect(built.stderr).not.toMatch(/internal error| {4}at /);
  });

  it.skipIf(!asNobody)('a cache this user may not write: one line naming the path, exit 2', () => {
    const ws = bigWorkspace();
    cleanups.push(() => ws.dispose());
    // Root can write anywhere, so the build runs as nobody against a cache root owns.
    const cache = mkdtempSync(join(tmpdir(), 'quanto-rocache-'));
    cleanups.push(() => rmSync(cache, { recursive: true, force: true }));
    chmodSync(cache, 0o755);
    chmodSync(ws.root, 0o755);
    writeFileSync(join(ws.root, '.keep'), '');
    const built = spawnSync(process.execPath, [QUANTO_BIN, '-C', ws.root, 'build', '--no-tui'], {
      encoding: 'utf8',
      uid: 65534,
      gid: 65534,
      env: { ...process.env, CI: 'true', QUANTO_CACHE_DIR: cache, HOME: tmpdir() },
    });
    expect(built.status, built.stdout + built.stderr).toBe(2);
    expect(built.stderr).toMatch(
      new RegExp(
        `^quanto: error: cannot write ${cache}(/\\S+)?: permission denied \\(EACCES\\); make it writable for this user, or set QUANTO_CACHE_DIR`,
        'm',
      ),
    );
    expect(built.stderr).not.toMatch(/internal error| {4}at /);
  });
});
