import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canCloneRepo, cloneCommittedTree, type CommittedClone, userShellEnv } from '../helpers/readme-clone.js';
import { REPO_ROOT } from '../helpers/workspace.js';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
if (!canCloneRepo)
  console.warn('README walkthrough test skipped: it clones the repository, and git or .git is missing');

/**
 * The README's set-up command and "A first session", run as written (npx quanto ... as the
 * bin) in a fresh clone of the committed tree, with the installed node_modules and compiled
 * dist linked in place of `npm install`. Each command must be in the README verbatim, so the
 * README cannot drift from what this test runs.
 */
describe.skipIf(!canCloneRepo)('the README, command by command, in a fresh clone', () => {
  let repo: CommittedClone;
  let clone: string;
  let dir: string;
  const quanto = (command: string, env: Record<string, string | undefined> = {}) => {
    expect(README, `the README no longer says: ${command}`).toContain(command);
    const args = command
      .replace(/^npx quanto /, '')
      .match(/"[^"]*"|\S+/g)!
      .map((a) => a.replace(/^"|"$/g, ''));
    return repo.quanto(args, env);
  };

  beforeAll(() => {
    repo = cloneCommittedTree('quanto-readme-');
    clone = repo.root;
    dir = dirname(clone);
  });
  afterAll(() => repo?.remove());

  it('set-up and a first session: build, rebuild from the cache, show, the report', () => {
    expect(README).toContain('npm install && npx quanto build //experiments/core_v1_ppo');
    const first = quanto('npx quanto build //experiments/core_v1_ppo');
    expect(first.code, first.out + first.err).toBe(0);
    const again = quanto('npx quanto build //experiments/core_v1_ppo');
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/quanto: 0 built, \d+ cached/);
    expect(quanto('npx quanto show //experiments/core_v1_ppo@seed=1').out).toMatch(/status: +up to date/);
    expect(quanto('npx quanto build //reports/core_v1_ppo').code).toBe(0);
    const report = quanto('npx quanto report //reports/core_v1_ppo');
    expect(report.code).toBe(0);
    expect(existsSync(report.out.trim())).toBe(true);
  }, 300_000);

  // Two clean builds of every default target (both PPO trainings included) on two cores: minutes, more under a parallel suite.
  it('verify: a clean rebuild of the whole default workspace gives the same bytes, with no network even with every key set', () => {
    // Keys in the environment must not pull any default target onto the network: every outgoing
    // connection, in the main thread or a worker, is logged and refused.
    const networkLog = join(dir, 'network.log');
    const keys = {
      POLYGON_API_KEY: 'pk-test',
      APCA_API_KEY_ID: 'PKTEST',
      APCA_API_SECRET_KEY: 'sk-test',
      ALPACA_API_KEY_ID: 'PKTEST',
      ALPACA_API_SECRET_KEY: 'sk-test',
    };
    const r = quanto('npx quanto verify //...', {
      ...keys,
      NODE_OPTIONS: `--require ${join(REPO_ROOT, 'tests/readme/block-network.cjs')}`,
      QUANTO_TEST_NETWORK_LOG: networkLog,
    });
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/every output bit-identical/);
    expect(existsSync(networkLog) ? readFileSync(networkLog, 'utf8') : '').toBe('');
    // The control: a vendor target, named, with its key, does try to connect, and the blocker sees it.
    const vendor = quanto('npx quanto build //raw/polygon/equity_ohlcv', {
      ...keys,
      NODE_OPTIONS: `--require ${join(REPO_ROOT, 'tests/readme/block-network.cjs')}`,
      QUANTO_TEST_NETWORK_LOG: networkLog,
    });
    expect(vendor.code).toBe(1);
    expect(readFileSync(networkLog, 'utf8')).toMatch(/^connect /);
    // The default workspace's monitoring plots and the promotion state, where the README says they are.
    for (const plot of ['data_coverage', 'training_episode_reward', 'equity']) {
      expect(README).toContain(`cache/out/monitoring/plots/`);
      expect(readFileSync(join(clone, `cache/out/monitoring/plots/${plot}.svg`), 'utf8')).toMatch(/^<svg /);
    }
    expect(README).toContain('cache/out/promotions/candidate/core_v1_ppo/promotion/status.json');
    const status = JSON.parse(
      readFileSync(join(clone, 'cache/out/promotions/candidate/core_v1_ppo/promotion/status.json'), 'utf8'),
    );
    expect(status).toMatchObject({
      experiment: '//experiments/core_v1_ppo@seed=1',
      state: 'not_qualified',
      record: null,
    });
  }, 600_000);

  it('from research to paper: qualification, a refused promotion, the paper session; a vendor without its key', () => {
    expect(quanto('npx quanto build //qualification/core_v1_ppo').code).toBe(0);
    expect(existsSync(join(clone, 'cache/out/qualification/core_v1_ppo/promotion/qualification_report.json'))).toBe(
      true,
    );
    const promote = quanto('npx quanto promote //experiments/core_v1_ppo@seed=1 --tier candidate --reason "..."');
    expect(promote.code).toBe(1);
    expect(promote.err).toMatch(/failed hard gates/);
    expect(quanto('npx quanto build //paper/core_v1_ppo').code).toBe(0);
    expect(existsSync(join(clone, 'cache/out/paper/core_v1_ppo/decisions.json'))).toBe(true);
    expect(README).toContain('POLYGON_API_KEY=... npx quanto build //raw/polygon/equity_ohlcv');
    const vendor = quanto('npx quanto build //raw/polygon/equity_ohlcv', { POLYGON_API_KEY: undefined });
    expect(vendor.code).toBe(1);
    expect(vendor.out).toMatch(/POLYGON_API_KEY is not set/);
    expect(README).toContain('APCA_API_KEY_ID=... APCA_API_SECRET_KEY=... npx quanto build //paper/alpaca/core_v1_ppo');
    const alpaca = quanto('npx quanto build //paper/alpaca/core_v1_ppo', {
      APCA_API_KEY_ID: undefined,
      APCA_API_SECRET_KEY: undefined,
    });
    expect(alpaca.code).toBe(1);
    expect(alpaca.out).toMatch(/APCA_API_KEY_ID and APCA_API_SECRET_KEY are not set/);
    // With keys (a server that cannot be reached: nothing may be sent), the sample policy is refused before any order.
    const refused = quanto('npx quanto build //paper/alpaca/core_v1_ppo', {
      APCA_API_KEY_ID: 'PKNOTAKEY',
      APCA_API_SECRET_KEY: 'not-a-secret',
      APCA_API_BASE_URL: 'http://127.0.0.1:9',
    });
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/refused: \/\/experiments\/core_v1_ppo@seed=1 is not promoted/);
  }, 300_000);

  it('an edited feature parameter: explain names the edit', () => {
    const config = join(clone, 'configs/features/dow30_core.yaml');
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace(
        '{name: rsi_30, kind: rsi, window: 30}',
        '{name: rsi_30, kind: rsi, window: 21}',
      ),
    );
    const r = quanto('npx quanto explain //experiments/core_v1_ppo@seed=1');
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/^\/\/experiments\/core_v1_ppo@seed=1: would rebuild/m);
    expect(r.out).toMatch(/\/\/features\/dow30_core: would rebuild/);
    expect(r.out).toMatch(/config\.features\[\d+\]\.window: 30 -> 21/);
  }, 300_000);

  it('watch: builds, then rebuilds the feature set on the next save', async () => {
    const command = 'npx quanto watch //features/dow30_core';
    expect(README).toContain(command);
    const child = spawn(process.execPath, [join(clone, 'bin', 'quanto.js'), ...command.split(' ').slice(2)], {
      cwd: clone,
      env: userShellEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const waitFor = async (pattern: RegExp, from: number) => {
      for (let i = 0; i < 1200 && !pattern.test(out.slice(from)); i++) await new Promise((r) => setTimeout(r, 50));
      expect(out.slice(from), `watch never printed ${pattern}`).toMatch(pattern);
    };
    try {
      await waitFor(/^WATCHING \d+ files/m, 0);
      const mark = out.length;
      const config = join(clone, 'configs/features/dow30_core.yaml');
      writeFileSync(
        config,
        readFileSync(config, 'utf8').replace(
          '{name: rsi_30, kind: rsi, window: 21}',
          '{name: rsi_30, kind: rsi, window: 14}',
        ),
      );
      await waitFor(/^quanto: /m, mark);
      expect(out.slice(mark)).toMatch(/^CHANGE +configs\/features\/dow30_core\.yaml/m);
      expect(out.slice(mark)).toMatch(/^BUILT +\/\/features\/dow30_core/m);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 300_000);
});
