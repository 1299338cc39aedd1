import { afterEach, describe, expect, it } from 'vitest';
import { actionKeyOf, keyOf } from '../../src/engine/action-key.js';
import { planBuild } from '../../src/engine/plan.js';
import { Session } from '../../src/engine/session.js';
import { smallWorkspace } from '../helpers/fixtures.js';
import type { TestWorkspace } from '../helpers/workspace.js';

describe('action keys', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('the fast key equals the digest of the canonical record, and records hold no absolute path', async () => {
    ws = smallWorkspace();
    const session = await Session.open(ws.root);
    const plan = await planBuild(session, ['//...']);
    const fake = { files: {}, outputsDigest: 'a'.repeat(64) as never };
    for (const target of plan.targets) {
      for (const action of target.actions) {
        const { record, key } = keyOf(session, action, () => fake);
        expect(key).toBe(actionKeyOf(record));
        expect(JSON.stringify(record)).not.toContain(ws.root);
      }
    }
  });

  it('keys do not depend on where the workspace or the cache is', async () => {
    ws = smallWorkspace();
    const a = await ws.build();
    const other = smallWorkspace();
    try {
      const b = await other.build();
      expect(b.targets.map((t) => t.key)).toEqual(a.targets.map((t) => t.key));
    } finally {
      other.dispose();
    }
  });
});
