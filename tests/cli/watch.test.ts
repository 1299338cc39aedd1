import { afterEach, describe, expect, it } from 'vitest';
import { watchCommand } from '../../src/cli/commands/watch.js';
import { SLOW_RULE, smallWorkspace } from '../helpers/fixtures.js';
import type { TestWorkspace } from '../helpers/workspace.js';

/** Runs `quanto watch --no-tui` in this process; `until` waits for output to match. */
function startWatch(ws: TestWorkspace, labels: string[] = ['//...'], jobs = 2) {
  const lines: string[] = [];
  const stop = new AbortController();
  const io = {
    out: (t: string) => lines.push(...t.replace(/\n$/, '').split('\n')),
    err: (t: string) => lines.push(`ERR ${t}`),
    cwd: ws.root,
    isTTY: false,
  };
  const exit = watchCommand(io, { workspace: ws.root }, labels, { tui: false, jobs }, stop.signal);
  let seen = 0;
  /** Waits for a line matching `pattern` after everything consumed so far; returns the lines up to it. */
  const until = async (pattern: RegExp, ms = 20_000): Promise<string[]> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const index = lines.findIndex((l, i) => i >= seen && pattern.test(l));
      if (index >= 0) {
        const chunk = lines.slice(seen, index + 1);
        seen = index + 1;
        return chunk;
      }
      if (Date.now() > deadline) throw new Error(`no line matched ${pattern}; output so far:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    until,
    stop: async () => {
      stop.abort();
      return exit;
    },
    lines,
  };
}

const built = (chunk: string[]) =>
  chunk
    .filter((l) => l.startsWith('BUILT'))
    .map((l) => l.split(/\s+/)[1])
    .sort();

describe('quanto watch', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('builds, then on a config edit rebuilds only what the edit affects', async () => {
    ws = smallWorkspace();
    const w = startWatch(ws);
    try {
      expect(built(await w.until(/^quanto: /))).toEqual([
        '//features/upper',
        '//raw/prices',
        '//report/final',
        '//stats/lines',
      ]);
      await w.until(/^WATCHING \d+ files/);
      ws.write('configs/upper.yaml', 'upper: true\nprefix: "W:"\n');
      const cycle = await w.until(/^quanto: /);
      expect(cycle[0]).toBe('CHANGE  configs/upper.yaml');
      expect(built(cycle)).toEqual(['//features/upper', '//report/final']);
      expect(cycle.at(-1)).toMatch(/^quanto: 2 built, 2 cached, 0 failed/);
      expect(ws.read('cache/out/features/upper/out.txt')).toMatch(/^W:DATE/);
      // A file no key reads is not watched: editing it starts nothing.
      ws.write('rules/lib/unused.ts', 'export const unused = 3;\n');
      ws.write('data/prices.csv', 'date,close\n2020-01-02,100\n2020-01-03,101\n2020-01-06,99\n');
      const next = await w.until(/^quanto: /);
      expect(next[0]).toBe('CHANGE  data/prices.csv');
    } finally {
      expect(await w.stop()).toBe(0);
    }
  });

  it('shows an invalid config, keeps watching, and recovers when it is fixed', async () => {
    ws = smallWorkspace();
    const w = startWatch(ws);
    try {
      await w.until(/^quanto: /);
      ws.write('configs/upper.yaml', 'upper: "very"\n');
      const bad = await w.until(/^INVALID /);
      expect(bad.at(-1)).toContain("invalid config configs/upper.yaml for rule 'copy_text'");
      expect(w.lines.join('\n')).toContain("configs/upper.yaml:1:8: target 'features/upper': key 'upper'");
      ws.write('quanto.pipeline.yaml', 'targets: [broken\n');
      await w.until(/^INVALID .*quanto\.pipeline\.yaml:\d+:\d+: invalid YAML/);
      ws.write(
        'quanto.pipeline.yaml',
        ws.read('quanto.pipeline.yaml').length > 0 ? (await import('../helpers/fixtures.js')).SMALL_PIPELINE : '',
      );
      await w.until(/^INVALID .*configs\/upper\.yaml/);
      ws.write('configs/upper.yaml', 'upper: false\nprefix: "ok:"\n');
      const fixed = await w.until(/^quanto: /);
      expect(fixed.at(-1)).toMatch(/0 failed/);
      expect(ws.read('cache/out/features/upper/out.txt')).toMatch(/^ok:date/);
    } finally {
      await w.stop();
    }
  });

  it('an edit during a build cancels it; the final build matches the files on disk', async () => {
    ws = smallWorkspace({ 'rules/slow.ts': SLOW_RULE, 'configs/slow.yaml': 'ms: 600\n' });
    ws.write(
      'quanto.pipeline.yaml',
      'targets:\n  a:\n    rule: slow\n    config: configs/slow.yaml\n  b:\n    rule: slow\n    deps: [//a]\n    config: configs/slow.yaml\n',
    );
    const w = startWatch(ws);
    try {
      await w.until(/^quanto: /);
      ws.write('configs/slow.yaml', 'ms: 601\n');
      await w.until(/^START\s+\/\/a/);
      // Mid-build: two more edits in quick succession.
      ws.write('configs/slow.yaml', 'ms: 602\n');
      ws.write('configs/slow.yaml', 'ms: 603\n');
      const last = await w.until(/^quanto: 2 built/);
      expect(last.filter((l) => l.startsWith('CHANGE'))).toHaveLength(1);
      // The cancelled build committed nothing for ms=601 / 602: a fresh explain is up to date, and verify agrees.
      const { main } = await import('../../src/cli/main.js');
      let out = '';
      const io = { out: (t: string) => (out += t), err: () => {}, cwd: ws.root, isTTY: false };
      await main(['-C', ws.root, 'explain', '//b'], io);
      expect(out).toMatch(/^\/\/b: up to date/);
    } finally {
      await w.stop();
    }
  });
});
