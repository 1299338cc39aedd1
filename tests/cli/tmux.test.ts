import { execFileSync, spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { QUANTO_BIN, TestWorkspace } from '../helpers/workspace.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux)
  console.warn(
    'tests/cli/tmux.test.ts: tmux is not installed (apt-get install tmux); the real-terminal TUI test is skipped',
  );

const PROGRESS_RULE = `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
export default {
  name: 'steps',
  version: 1,
  config: z.object({ ms: z.number().default(2400) }).strict(),
  outputs: ['out.txt'],
  async run(ctx: any) {
    for (let i = 1; i <= 8; i++) {
      await new Promise((r) => setTimeout(r, ctx.config.ms / 8));
      ctx.progress(i, 8, 'steps');
    }
    writeFileSync(join(ctx.outDir, 'out.txt'), ctx.label);
  },
};
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!hasTmux)('the terminal UI in a real terminal (tmux)', () => {
  let ws: TestWorkspace;
  const session = `quanto-test-${process.pid}`;
  afterEach(() => {
    spawnSync('tmux', ['kill-session', '-t', session]);
    ws?.dispose();
  });

  const capture = () => execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });

  async function waitFor(pattern: RegExp, ms = 15_000): Promise<string> {
    const until = Date.now() + ms;
    for (;;) {
      const screen = capture();
      if (pattern.test(screen)) return screen;
      if (Date.now() > until) throw new Error(`screen never matched ${pattern}:\n${screen}`);
      await sleep(100);
    }
  }

  it('shows the tree with live progress, takes keys, and leaves the final frame and summary', async () => {
    ws = new TestWorkspace({
      'quanto.pipeline.yaml':
        'targets:\n  raw/a:\n    rule: hash_inputs\n  model/train:\n    rule: steps\n    deps: [//raw/a]\n',
      'rules/steps.ts': PROGRESS_RULE,
    });
    const env = Object.entries(process.env)
      .filter(([k]) => k !== 'CI')
      .map(([k, v]) => `${k}=${JSON.stringify(v ?? '')}`);
    const command = `env -u CI ${process.execPath} ${QUANTO_BIN} -C ${ws.root} build; echo EXIT=$?; sleep 60`;
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '110', '-y', '30', command], {
      env: { ...process.env, CI: '' },
    });
    expect(env.length).toBeGreaterThan(0);
    const running = await waitFor(/▶ \/\/model\/train running .*\[[█░]+\] \d\/8 steps/);
    expect(running).toMatch(/^quanto build \/\/\.\.\. · built \d · cached 0 · failed 0 · remaining \d/m);
    expect(running).toMatch(/^ {2}✓ \/\/raw\/a built/m);
    execFileSync('tmux', ['send-keys', '-t', session, 'j', 'Enter']);
    await waitFor(/key [0-9a-f]{16}/);
    const done = await waitFor(/EXIT=0/);
    expect(done).toMatch(/✓ \/\/model\/train built/);
    expect(done).toMatch(/quanto: 2 built, 0 cached, 0 failed, 0 skipped/);
  });

  it('watch mode shows the last result per target, what triggered the rebuild, and a config error until it is fixed', async () => {
    ws = new TestWorkspace({
      'quanto.pipeline.yaml':
        'targets:\n  raw/a:\n    rule: hash_inputs\n    config: configs/a.yaml\n  model/train:\n    rule: steps\n    deps: [//raw/a]\n    config: configs/train.yaml\n',
      'configs/a.yaml': 'salt: one\n',
      'configs/train.yaml': 'ms: 400\n',
      'rules/steps.ts': PROGRESS_RULE,
    });
    const command = `env -u CI ${process.execPath} ${QUANTO_BIN} -C ${ws.root} watch; echo EXIT=$?; sleep 60`;
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '110', '-y', '30', command]);
    await waitFor(/✓ \/\/model\/train built/);
    expect(capture()).toMatch(/^watching \d+ files · build #1 after start/m);
    ws.write('configs/train.yaml', 'ms: 480\n');
    const second = await waitFor(/build #\d+ after change to configs\/train\.yaml[\s\S]*✓ \/\/model\/train built/);
    expect(second).toMatch(/^ {2}✓ \/\/raw\/a cached/m);
    ws.write('configs/train.yaml', 'ms: "slow"\n');
    await waitFor(/invalid workspace: fix the file[\s\S]*configs\/train\.yaml:1:5/);
    ws.write('configs/train.yaml', 'ms: 400\n');
    const fixed = await waitFor(
      /build #\d+ after change to configs\/train\.yaml[\s\S]*✓ \/\/model\/train (built|cached)/,
    );
    expect(fixed).not.toMatch(/invalid workspace/);
    execFileSync('tmux', ['send-keys', '-t', session, 'q']);
    await waitFor(/EXIT=0/);
  });
});
