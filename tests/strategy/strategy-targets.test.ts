import { afterEach, describe, expect, it } from 'vitest';
import { dow30Workspace } from '../helpers/dow30-workspace.js';
import { builtLabels, type TestWorkspace } from '../helpers/workspace.js';

/**
 * Strategies are plugins of the workspace: strategies/<name>.ts, named by `kind:` in a
 * backtest's config, with the shipped ones (strategies/ of Quanto) found when the workspace has
 * none of that name. Their source is in the key of every target that trades them.
 */
const MEAN_REVERSION = `import { z } from 'zod';
// Long the symbols that closed below their 10-bar mean by more than \`band\`, flat otherwise.
export default {
  name: 'dip_buyer',
  version: 1,
  config: z.object({ band: z.number().positive().default(0.02) }).strict(),
  start: (c, symbols) => ({
    onBar(ctx) {
      if (ctx.t < 10) return;
      for (const s of symbols) {
        let mean = 0;
        for (let k = 0; k < 10; k++) mean += ctx.close(s, k) / 10;
        ctx.targetWeight(s, ctx.close(s) < mean * (1 - c.band) ? 1 / symbols.length : 0);
      }
    },
  }),
};
`;

function strategyWorkspace(): TestWorkspace {
  return dow30Workspace({
    targets: `  backtests/dips:
    rule: backtest
    deps: [//canonical/dow30]
    config: dips.yaml
  backtests/hold:
    rule: backtest
    deps: [//canonical/dow30]
    config: hold.yaml
`,
    files: {
      'strategies/dip_buyer.ts': MEAN_REVERSION,
      'dips.yaml': `# a user's strategy
from: //canonical/dow30
symbols: [AA, GE, IBM]
start: '1995-01-01'
end: '1996-12-31'
engine: event_driven
strategy: {kind: dip_buyer, band: 0.03}
costs: {execution: {price: close}}
`,
      'hold.yaml': `from: //canonical/dow30
symbols: [AA, GE, IBM]
start: '1995-01-01'
end: '1996-12-31'
strategy: {kind: buy_and_hold}
costs: {execution: {price: close}}
`,
    },
    rules: ['backtest'],
  });
}

describe("a user's own strategy in a backtest target", () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it('backtests it beside a shipped one; editing it rebuilds its backtest and nothing else', async () => {
    ws = strategyWorkspace();
    const first = await ws.build('//backtests/...');
    expect(first.code).toBe(0);
    const report = JSON.parse(ws.read('cache/out/backtests/dips/metrics.json')) as {
      strategy: unknown;
      metrics: { round_trips: number };
    };
    expect(report.strategy).toEqual({ kind: 'dip_buyer', band: 0.03 });
    expect(report.metrics.round_trips).toBeGreaterThan(0);
    const { manifest } = JSON.parse((await ws.cli('show', '//backtests/hold', '--json')).out) as {
      manifest: { record: { plugins: Record<string, unknown> } };
    };
    expect(Object.keys(manifest.record.plugins)).toEqual(['quanto:strategies/buy_and_hold.ts']);

    ws.write(
      'strategies/dip_buyer.ts',
      MEAN_REVERSION.replace('k < 10; k++) mean += ctx.close(s, k) / 10', 'k < 5; k++) mean += ctx.close(s, k) / 5'),
    );
    expect(builtLabels(await ws.build('//backtests/...'))).toEqual(['//backtests/dips']);
  });

  it('its settings are checked by its schema when the build is planned, at the config line; exit 2', async () => {
    ws = strategyWorkspace();
    ws.write('dips.yaml', ws.read('dips.yaml').replace('band: 0.03', 'band: -1'));
    let r = await ws.cli('build', '//backtests/dips', '--no-tui');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/dips\.yaml:7:\d+: target 'backtests\/dips': key 'strategy\.band': /);
    ws.write('dips.yaml', ws.read('dips.yaml').replace('kind: dip_buyer, band: -1', 'kind: dip_buyr'));
    r = await ws.cli('build', '//backtests/dips', '--no-tui');
    expect(r.code).toBe(2);
    expect(r.err).toContain("key 'strategy.kind': no module strategies/dip_buyr.ts");
    expect(r.err).toMatch(/strategies\/ has: .*buy_and_hold.*dip_buyer/);
  });

  it('a strategy that fails on a bar fails its target, naming the strategy, the bar and the value', async () => {
    ws = strategyWorkspace();
    ws.write('strategies/dip_buyer.ts', MEAN_REVERSION.replace('1 / symbols.length', '0 / 0'));
    const r = await ws.cli('build', '//backtests/dips', '--no-tui');
    expect(r.code).toBe(1);
    expect(r.err + r.out).toMatch(
      /strategy 'dip_buyer' \(strategies\/dip_buyer\.ts\) on 1995-\d\d-\d\d: the target weight for (AA|GE|IBM) must be a finite number, got NaN/,
    );
  });
});
