import { afterEach, describe, expect, it } from 'vitest';
import { expandSrc } from '../../src/engine/pipeline/src-globs.js';
import { TestWorkspace } from '../helpers/workspace.js';

const LIST_RULE = `import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
export default {
  name: 'list_srcs',
  version: 1,
  config: z.object({}).strict(),
  outputs: ['srcs.txt'],
  run(ctx) {
    const names = Object.keys(ctx.srcs).sort();
    writeFileSync(join(ctx.outDir, 'srcs.txt'), names.map((n) => n + ' ' + readFileSync(ctx.srcs[n], 'utf8')).join('\\n'));
  },
};
`;

describe('glob srcs', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('name the matching files (none is fine), and a file appearing, changing or going away rebuilds the target', async () => {
    ws = new TestWorkspace({
      'quanto.pipeline.yaml': 'version: 1\ntargets:\n  records:\n    rule: list_srcs\n    srcs: [records/*.json]\n',
      'rules/list_srcs.ts': LIST_RULE,
    });
    const first = await ws.build('//records');
    expect(first.status['//records']).toBe('built');
    expect(ws.read('cache/out/records/srcs.txt')).toBe('');
    ws.write('records/a.json', '1');
    ws.write('records/notes.txt', 'ignored');
    expect((await ws.build('//records')).status['//records']).toBe('built');
    expect(ws.read('cache/out/records/srcs.txt')).toBe('records/a.json 1');
    expect((await ws.build('//records')).status['//records']).toBe('cached');
    ws.write('records/b.json', '2');
    expect((await ws.build('//records')).status['//records']).toBe('built');
    expect(ws.read('cache/out/records/srcs.txt')).toBe('records/a.json 1\nrecords/b.json 2');
    expect(expandSrc(ws.root, 'records/*.json')).toEqual(['records/a.json', 'records/b.json']);
  });

  it('a wildcard in a directory is a pipeline error naming the entry', async () => {
    ws = new TestWorkspace({
      'quanto.pipeline.yaml': 'version: 1\ntargets:\n  records:\n    rule: list_srcs\n    srcs: [records/*/x.json]\n',
      'rules/list_srcs.ts': LIST_RULE,
    });
    const r = await ws.cli('build', '//records');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/wildcard may appear in the file name only/);
  });
});
