import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './workspace.js';

/** Whether a README walkthrough can run here: it clones the repository, so it needs git and .git. */
export const canCloneRepo = spawnSync('git', ['--version']).status === 0 && existsSync(join(REPO_ROOT, '.git'));

/** The test runner's environment without its cache and ledger redirections, as a user's shell would have it. */
export function userShellEnv(env: Record<string, string | undefined> = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries({ ...process.env, CI: 'true', ...env }).filter(
      ([k, v]) => v !== undefined && k !== 'QUANTO_CACHE_DIR' && k !== 'QUANTO_HOLDOUT_LEDGER',
    ),
  ) as Record<string, string>;
}

export interface CommittedClone {
  readonly root: string;
  /** Runs `bin/quanto.js` of the clone in the clone, with the given arguments. */
  quanto(
    args: readonly string[],
    env?: Record<string, string | undefined>,
  ): { code: number | null; out: string; err: string };
  remove(): void;
}

/**
 * A fresh clone of the committed tree, with the installed node_modules and compiled dist linked
 * in place of `npm install`: what a user has after the README's set-up command.
 */
export function cloneCommittedTree(prefix: string): CommittedClone {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const root = join(dir, 'clone');
  const c = spawnSync('git', ['clone', '-q', REPO_ROOT, root], { encoding: 'utf8' });
  if (c.status !== 0) throw new Error(`git clone failed: ${c.stderr}`);
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  symlinkSync(join(REPO_ROOT, 'dist'), join(root, 'dist'));
  return {
    root,
    quanto(args, env = {}) {
      const r = spawnSync(process.execPath, [join(root, 'bin', 'quanto.js'), ...args], {
        cwd: root,
        env: userShellEnv(env),
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      return { code: r.status, out: r.stdout, err: r.stderr };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
