import { afterEach, describe, expect, it } from 'vitest';
import { TestWorkspace } from '../helpers/workspace.js';
import { builtLabels } from '../helpers/workspace.js';

const SHARD_RULE = `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export default {
  name: 'shard',
  version: 1,
  config: z.object({ symbols: z.array(z.string()).default([]), years: z.array(z.number()).default([]) }).strict(),
  outputs: ['bars.csv'],
  partitions(config: any) {
    return config.symbols.flatMap((symbol: string) => config.years.map((year: number) => ({ symbol, year: String(year) })));
  },
  run(ctx: any) {
    writeFileSync(join(ctx.outDir, 'bars.csv'), 'symbol,year\\n' + ctx.partition.symbol + ',' + ctx.partition.year + '\\n');
    return { rows: { 'bars.csv': 1 } };
  },
};
`;

const MERGE_RULE = `import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export default {
  name: 'merge',
  version: 1,
  config: z.object({}).strict(),
  outputs: ['all.csv'],
  run(ctx: any) {
    const input = ctx.inputs['//raw/bars'];
    const names = Object.keys(input.files).sort();
    // dir() lays the partitions out as on disk, Hive-style.
    const dir = input.dir();
    const rows = names.map((n) => n + ':' + readFileSync(join(dir, n), 'utf8').split('\\n')[1]);
    writeFileSync(join(ctx.outDir, 'all.csv'), rows.join('\\n') + '\\n');
  },
};
`;

function workspace(partitionsYaml = ''): TestWorkspace {
  return new TestWorkspace({
    'quanto.pipeline.yaml': `targets:
  raw/bars:
    rule: shard
    config: configs/bars.yaml
${partitionsYaml}  canonical/bars:
    rule: merge
    deps: [//raw/bars]
`,
    'configs/bars.yaml': 'symbols: [MSFT, AAPL]\nyears: [2020, 2021]\n',
    'rules/shard.ts': SHARD_RULE,
    'rules/merge.ts': MERGE_RULE,
  });
}

describe('partitions', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('fans a target out into partitions that are built, cached and stored one by one', async () => {
    ws = workspace();
    const r = await ws.build();
    expect(r.targets.map((t) => t.label)).toEqual([
      '//raw/bars@symbol=AAPL/year=2020',
      '//raw/bars@symbol=AAPL/year=2021',
      '//raw/bars@symbol=MSFT/year=2020',
      '//raw/bars@symbol=MSFT/year=2021',
      '//canonical/bars',
    ]);
    expect(ws.read('cache/out/raw/bars/symbol=MSFT/year=2021/bars.csv')).toBe('symbol,year\nMSFT,2021\n');
    expect(ws.read('cache/out/canonical/bars/all.csv')).toBe(
      'symbol=AAPL/year=2020/bars.csv:AAPL,2020\nsymbol=AAPL/year=2021/bars.csv:AAPL,2021\nsymbol=MSFT/year=2020/bars.csv:MSFT,2020\nsymbol=MSFT/year=2021/bars.csv:MSFT,2021\n',
    );
  });

  it('adding a partition builds only the new one; the dependent rebuilds because its input grew', async () => {
    ws = workspace();
    await ws.build();
    ws.write('configs/bars.yaml', 'symbols: [MSFT, AAPL]\nyears: [2020, 2021, 2022]\n');
    const r = await ws.build();
    // Config is part of every partition's key, so all partitions re-run; identical bytes, though.
    expect(r.status['//raw/bars@symbol=AAPL/year=2022']).toBe('built');
    expect(r.status['//canonical/bars']).toBe('built');
  });

  it('one partition is addressable by label and builds alone', async () => {
    ws = workspace();
    const r = await ws.build('//raw/bars@symbol=AAPL/year=2021');
    expect(r.targets.map((t) => `${t.label} ${t.status}`)).toEqual(['//raw/bars@symbol=AAPL/year=2021 built']);
    const all = await ws.build();
    expect(builtLabels(all)).toHaveLength(4);
    expect(all.status['//raw/bars@symbol=AAPL/year=2021']).toBe('cached');
    const show = await ws.cli('show', '//raw/bars@symbol=AAPL/year=2021', '--json');
    const shown = JSON.parse(show.out) as {
      status: string;
      rows: Record<string, number>;
      outputs: Record<string, { path: string }>;
    };
    expect(shown.status).toBe('up to date');
    expect(shown.rows).toEqual({ 'bars.csv': 1 });
    expect(shown.outputs['bars.csv']!.path).toMatch(/cache\/out\/raw\/bars\/symbol=AAPL\/year=2021\/bars\.csv$/);
  });

  it('pipeline partitions take precedence over the rule and are expanded as a product', async () => {
    ws = workspace('    partitions:\n      symbol: [SPY]\n      year: [2019, 2018]\n');
    const r = await ws.build('//raw/...');
    expect(r.targets.map((t) => t.label)).toEqual([
      '//raw/bars@symbol=SPY/year=2018',
      '//raw/bars@symbol=SPY/year=2019',
    ]);
    const ls = await ws.cli('ls');
    expect(ls.out).toContain('//raw/bars  shard [2 partitions]');
  });

  it('an unknown partition is a clear error', async () => {
    ws = workspace();
    const r = await ws.cli('build', '//raw/bars@symbol=IBM/year=2020');
    expect(r.code).toBe(2);
    expect(r.err).toContain('//raw/bars has no partition symbol=IBM/year=2020 (it has 4: symbol=AAPL/year=2020');
  });
});
