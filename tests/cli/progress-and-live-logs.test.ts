import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { plainReporter } from '../../src/cli/build-reporter.js';
import type { ActionResult } from '../../src/engine/scheduling/build-events.js';
import { TestWorkspace } from '../helpers/workspace.js';

describe('the plain log says what is running and how far it is, every 10 s', () => {
  it('a heartbeat per running action with its elapsed time, progress and ETA; none once all have finished', async () => {
    const lines: string[] = [];
    let clock = 0;
    const report = plainReporter((l) => lines.push(l), { heartbeatMs: 20, now: () => clock });
    report({ type: 'start', label: '//slow/a' });
    report({ type: 'start', label: '//slow/b' });
    clock = 10_000;
    report({ type: 'progress', report: { label: '//slow/a', done: 250, total: 1000, unit: 'steps' } });
    await new Promise((r) => setTimeout(r, 30));
    expect(lines).toContain('RUNNING //slow/a (10.0 s): 250/1000 steps (25%), about 30.0 s left');
    expect(lines).toContain('RUNNING //slow/b (10.0 s)');
    const finished = (label: string): ActionResult => ({
      label,
      target: label.slice(2) as never,
      partition: null,
      status: 'built',
      durationMs: 12_000,
    });
    report({ type: 'finish', result: finished('//slow/a') });
    report({ type: 'finish', result: finished('//slow/b') });
    const count = lines.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(lines.length).toBe(count); // no heartbeat after the last action finished
    expect(lines.slice(-2)).toEqual(['BUILT   //slow/a (12.0 s)', 'BUILT   //slow/b (12.0 s)']);
  });
});

const TALKING_RULE = `import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export default {
  name: 'talk',
  version: 1,
  config: z.object({}).strict(),
  outputs: ['out.txt'],
  async run(ctx: any) {
    ctx.log.info('first line, written before the rule finishes');
    // Wait (at most 20 s) until the test has seen that line in the log, then finish.
    const seen = join(ctx.srcs['go.txt'], '..', 'seen');
    for (let i = 0; i < 400 && !existsSync(seen); i++) await new Promise((r) => setTimeout(r, 50));
    ctx.log.info('second line');
    writeFileSync(join(ctx.outDir, 'out.txt'), 'done\\n');
  },
};
`;

describe('logs stream to cache/logs/ as the rule writes them', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('a line is in the log while the action still runs; the finished log has every line', async () => {
    ws = new TestWorkspace({
      'quanto.pipeline.yaml': 'targets:\n  t/talk:\n    rule: talk\n    srcs: [go.txt]\n',
      'rules/talk.ts': TALKING_RULE,
      'go.txt': 'go\n',
    });
    const child = ws.spawnCli(['build', '//...', '--no-tui']);
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    const logPath = ws.path('cache/logs/t/talk.log');
    const end = Date.now() + 60_000;
    while (!(existsSync(logPath) && readFileSync(logPath, 'utf8').includes('first line'))) {
      if (Date.now() > end) throw new Error('the first line never reached the log while the action ran');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(readFileSync(logPath, 'utf8')).toBe('INFO first line, written before the rule finishes\n');
    ws.write('seen', '');
    expect(await exited).toBe(0);
    expect(readFileSync(logPath, 'utf8')).toBe('INFO first line, written before the rule finishes\nINFO second line\n');
  });
});
