import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closestNames } from '../../src/engine/pipeline/did-you-mean.js';
import { smallWorkspace } from '../helpers/fixtures.js';
import { REPO_ROOT, runCli, type TestWorkspace } from '../helpers/workspace.js';

describe('CLI polish', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('--version prints the package version and exits 0', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.out.trim()).toBe(version);
  });

  it('a mistyped label gets did-you-mean suggestions (exit 2)', async () => {
    ws = smallWorkspace();
    const r = await ws.cli('build', '//features/uper', '--no-tui');
    expect(r.code).toBe(2);
    expect(r.err).toContain('no target named //features/uper in quanto.pipeline.yaml (did you mean //features/upper?)');
    const far = await ws.cli('show', '//nothing/like/it');
    expect(far.code).toBe(2);
    expect(far.err).not.toContain('did you mean');
  });

  it('suggests the nearest names first, at most three, and nothing unrelated', () => {
    expect(closestNames('features/core_v2', ['features/core_v1', 'features/core_v1_regime', 'raw/x'])).toEqual([
      'features/core_v1',
    ]);
    expect(closestNames('a/bc', ['a/bd', 'a/be', 'a/bf', 'a/bg'])).toEqual(['a/bd', 'a/be', 'a/bf']);
    expect(closestNames('backtests/spx', ['labels/core_v1'])).toEqual([]);
  });

  it('doctor marks a key that is not set as neither ok nor failed', async () => {
    ws = smallWorkspace();
    const env = process.env.POLYGON_API_KEY;
    delete process.env.POLYGON_API_KEY;
    try {
      const r = await ws.cli('doctor');
      expect(r.out).toMatch(/^- {5}POLYGON_API_KEY {8}not set$/m);
      expect(r.out).not.toMatch(/^ok +POLYGON_API_KEY/m);
    } finally {
      if (env !== undefined) process.env.POLYGON_API_KEY = env;
    }
  });
});
