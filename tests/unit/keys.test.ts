import { afterEach, describe, expect, it } from 'vitest';
import { actionKeyOf, keyOf } from '../../src/engine/keys/action-key.js';
import { planBuild } from '../../src/engine/scheduling/plan.js';
import { Session } from '../../src/engine/session.js';
import { smallWorkspace } from '../helpers/fixtures.js';
import { TestWorkspace } from '../helpers/workspace.js';

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

describe('key facts', () => {
  it("a rule's key facts (a numeric backend) are in the record and the key: other facts, other key", async () => {
    const ws = new TestWorkspace({
      'quanto.pipeline.yaml': 'version: 1\ntargets:\n  model:\n    rule: fitted\n',
      'rules/fitted.ts': `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
export default {
  name: 'fitted',
  version: 1,
  config: z.object({}).strict(),
  outputs: ['model.txt'],
  keyFacts: () => ({ backend: process.env.QUANTO_TEST_BACKEND ?? 'wasm' }),
  run(ctx) { writeFileSync(join(ctx.outDir, 'model.txt'), 'weights'); },
};
`,
    });
    try {
      const keys = async () => {
        const session = await Session.open(ws.root);
        const plan = await planBuild(session, ['//model']);
        const { record, key } = keyOf(session, plan.targets[0]!.actions[0]!, () => ({
          files: {},
          outputsDigest: 'a'.repeat(64) as never,
        }));
        expect(key).toBe(actionKeyOf(record));
        return { record, key };
      };
      const wasm = await keys();
      expect(wasm.record.facts).toEqual({ backend: 'wasm' });
      process.env.QUANTO_TEST_BACKEND = 'tensorflow';
      const native = await keys();
      expect(native.key).not.toBe(wasm.key);
    } finally {
      delete process.env.QUANTO_TEST_BACKEND;
      ws.dispose();
    }
  });
});
