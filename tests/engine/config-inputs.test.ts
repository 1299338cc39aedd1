import { afterEach, describe, expect, it } from 'vitest';
import { dow30Workspace } from '../helpers/dow30-workspace.js';
import type { TestWorkspace } from '../helpers/workspace.js';

/**
 * A config names its upstream targets (`from:`, a nested block's `from:`); the pipeline's deps
 * decide what the action may read. A config that reads a target its deps do not list fails at
 * planning, at the config line that names it, before any action runs.
 */
describe("a config's inputs are checked against the pipeline's deps before anything runs", () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  const backtest = (deps: string) =>
    dow30Workspace({
      targets: `  backtests/tiny:
    rule: backtest
    deps: [${deps}]
    config: backtest.yaml
`,
      files: {
        'backtest.yaml': `# a tiny backtest
from: //canonical/dow30
adjust: total
strategy: {kind: equal_weight, every: 21}
costs: {execution: {delay_bars: 1, price: close}}
regimes:
  from: //features/dow30
  symbol: GE
  slices:
    - {name: calm, when: [{column: rsi_14, op: '<', value: 50}]}
`,
      },
      rules: ['backtest'],
    });

  it('names the file, line and key of each undeclared input, exits 2, and builds nothing', async () => {
    ws = backtest('//canonical/dow30');
    const r = await ws.cli('build', '//...', '--no-tui');
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      "backtest.yaml:7:9: key 'regimes.from': //backtests/tiny reads //features/dow30, which is not among its deps: add '//features/dow30' to the deps of //backtests/tiny in quanto.pipeline.yaml",
    );
    expect(r.err).not.toMatch(/\n\s+at /);
    // Planning failed, so not even the upstream targets ran.
    expect(r.out).not.toMatch(/BUILT/);
  });

  it('builds once the deps list what the config reads', async () => {
    ws = backtest('//canonical/dow30, //features/dow30');
    const r = await ws.cli('build', '//backtests/tiny', '--no-tui');
    expect(r.out + r.err).toMatch(/quanto: 4 built, 0 cached, 0 failed/);
    expect(r.code).toBe(0);
  });
});
