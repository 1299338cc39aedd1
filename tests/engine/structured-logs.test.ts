import { afterEach, describe, expect, it } from 'vitest';
import { smallWorkspace } from '../helpers/fixtures.js';
import type { TestWorkspace } from '../helpers/workspace.js';

describe('structured logs', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('each action that logs leaves a .log for people and a .jsonl for machines, with no timestamp', async () => {
    ws = smallWorkspace();
    expect((await ws.build('--jobs', '0')).code).toBe(0);
    const lines = ws
      .read('cache/logs/raw/prices.jsonl')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { target: '//raw/prices', seq: 0, level: 'info', message: expect.stringMatching(/^wrote \d+ characters$/) },
    ]);
    expect(ws.read('cache/logs/raw/prices.log')).toBe(`INFO ${lines[0].message}\n`);
  });
});
