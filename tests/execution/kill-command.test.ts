import { afterEach, describe, expect, it } from 'vitest';
import { KILL_FILE, killSwitchFromFile, readKillFile } from '../../src/execution/kill-file.js';
import { TestWorkspace } from '../helpers/workspace.js';

describe('quanto kill', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('sets, reports and clears the kill switch that running sessions read', async () => {
    ws = new TestWorkspace({ 'quanto.pipeline.yaml': 'version: 1\ntargets: {}\n' });
    const sw = killSwitchFromFile(ws.path(KILL_FILE));
    expect(sw()).toBeNull();
    process.env.QUANTO_USER = 'ops';
    try {
      const set = await ws.cli('kill', '--reason', 'broker outage');
      expect(set.code).toBe(0);
    } finally {
      delete process.env.QUANTO_USER;
    }
    expect(sw()).toBe('broker outage');
    expect(readKillFile(ws.path(KILL_FILE))).toMatchObject({ reason: 'broker outage', by: 'ops' });
    expect((await ws.cli('kill', '--status')).out).toMatch(/kill switch SET: broker outage \(ops/);
    expect((await ws.cli('kill', '--clear')).out).toMatch(/cleared/);
    expect(sw()).toBeNull();
    expect((await ws.cli('kill')).code).toBe(2); // a reason is required
  });

  it('an unreadable kill file counts as a kill (fail safe)', () => {
    ws = new TestWorkspace({ [KILL_FILE]: '{not json' });
    expect(killSwitchFromFile(ws.path(KILL_FILE))()).toMatch(/unreadable kill file/);
  });
});
