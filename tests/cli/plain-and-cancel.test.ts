import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/engine/scheduling/build.js';
import { Session } from '../../src/engine/session.js';
import { SLOW_RULE, smallWorkspace } from '../helpers/fixtures.js';
import { QUANTO_BIN, TestWorkspace } from '../helpers/workspace.js';

function slowChain(): TestWorkspace {
  const lines = ['targets:'];
  for (let i = 0; i < 6; i++)
    lines.push(
      `  s${i}:`,
      '    rule: slow',
      '    config: configs/slow.yaml',
      ...(i > 0 ? [`    deps: [//s${i - 1}]`] : []),
    );
  for (let i = 0; i < 3; i++) lines.push(`  side${i}:`, '    rule: slow', '    config: configs/slow.yaml');
  return new TestWorkspace({
    'quanto.pipeline.yaml': lines.join('\n') + '\n',
    'rules/slow.ts': SLOW_RULE,
    'configs/slow.yaml': 'ms: 250\n',
  });
}

function manifests(ws: TestWorkspace): string[] {
  const dir = ws.path('cache/ac');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('plain output and cancellation', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('under CI=true the build prints one plain line per start and finish, without escape codes, even on a TTY request', async () => {
    ws = smallWorkspace();
    const r = spawnSync(process.execPath, [QUANTO_BIN, '-C', ws.root, 'build'], {
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', FORCE_COLOR: '1' },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/\u001b/);
    const lines = r.stdout.trim().split('\n');
    for (const label of ['//raw/prices', '//stats/lines', '//features/upper', '//report/final']) {
      expect(lines.filter((l) => l === `START   ${label}`)).toHaveLength(1);
      expect(lines.filter((l) => new RegExp(`^BUILT   ${label} \\((\\d+ ms|\\d+\\.\\d s)\\)$`).test(l))).toHaveLength(
        1,
      );
    }
    expect(lines.at(-1)).toMatch(
      /^quanto: 4 built, 0 cached, 0 failed, 0 skipped \(cache hit 0%\) in (\d+ ms|\d+\.\d s)$/,
    );
    // A start line comes before its finish line.
    expect(lines.indexOf('START   //report/final')).toBeLessThan(
      lines.findIndex((l) => l.startsWith('BUILT   //report/final')),
    );
  });

  it('cancelling a build stops running actions, commits nothing half-done, and the next build finishes the job', async () => {
    ws = slowChain();
    const session = await Session.open(ws.root);
    const abort = new AbortController();
    let finished = 0;
    const result = await build(session, ['//...'], {
      jobs: 2,
      signal: abort.signal,
      onEvent: (e) => {
        if (e.type === 'finish' && e.result.status === 'built' && ++finished === 2) abort.abort();
      },
    });
    expect(result.cancelled).toBe(true);
    expect(result.built).toBeGreaterThanOrEqual(2);
    expect(result.skipped).toBeGreaterThan(0);
    expect(result.built + result.skipped).toBe(9);
    // Exactly the built actions are committed, each complete; no scratch is left behind.
    const committed = manifests(ws);
    expect(committed.filter((f) => f.endsWith('.json'))).toHaveLength(result.built);
    for (const f of committed) expect(() => JSON.parse(readFileSync(f, 'utf8'))).not.toThrow();
    expect(readdirSync(ws.path('cache/tmp'))).toEqual([]);

    const again = await ws.build();
    expect(again.code).toBe(0);
    expect(again.cached).toBe(result.built);
    expect(again.built).toBe(9 - result.built);
    expect((await ws.cli('verify')).code).toBe(0);
  });

  it('Ctrl-C (SIGINT) cancels the plain build cleanly and exits 1', async () => {
    ws = slowChain();
    const child = spawn(process.execPath, [QUANTO_BIN, '-C', ws.root, 'build'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CI: 'true' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('BUILT') && !child.killed) child.kill('SIGINT');
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(err).toContain('quanto: cancelling');
    expect(out).toMatch(/SKIPPED/);
    expect(readdirSync(ws.path('cache/tmp'))).toEqual([]);
    for (const f of manifests(ws)) expect(f.endsWith('.json')).toBe(true);
  });
});
