import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineStrategy } from '../../src/strategy/define-strategy.js';
import { loadStrategy, prepareStrategy } from '../../src/strategy/loaded-strategy.js';
import { dow30Workspace } from '../helpers/dow30-workspace.js';
import type { TestWorkspace } from '../helpers/workspace.js';

/**
 * A strategy reads data beyond its bars by declaring it (`data:` in its definition) and a config
 * binding it (`data:` beside `kind:`): each bound target is a dep of what runs the strategy, so
 * its outputs are in the key, and prepare() reads them once before the first bar.
 */
const scored = defineStrategy({
  name: 'scored',
  version: 1,
  config: z.object({}).strict(),
  data: { scores: 'a target with scores' },
  prepare: (_c, data) => `read ${data.scores}`,
  weights: (panel) => panel.close.map((c) => new Float64Array(c.length)),
});

describe('a strategy’s declared data', () => {
  it('must be bound by name, no more and no less, or the strategy is refused naming what to write', () => {
    expect(() => loadStrategy(scored, 'scored', 'strategies/scored.ts', {}, {})).toThrow(
      /'scored' \(strategies\/scored.ts\) data: scores is not bound \(a target with scores\): add data: \{scores: \/\/<target>\} beside kind/,
    );
    expect(() => loadStrategy(scored, 'scored', 'strategies/scored.ts', {}, { scores: '//a', extra: '//b' })).toThrow(
      /extra is not data it reads \(it reads scores\)/,
    );
  });

  it('is handed to prepare() by output directory, and what it returns travels with the strategy', async () => {
    const loaded = loadStrategy(scored, 'scored', 'strategies/scored.ts', {}, { scores: '//a' });
    expect((await prepareStrategy(loaded, { scores: '/out/a' })).prepared).toBe('read /out/a');
    const failing = { ...scored, prepare: () => Promise.reject(new Error('no such column')) };
    await expect(
      prepareStrategy(loadStrategy(failing, 'scored', 'strategies/scored.ts', {}, { scores: '//a' }), {
        scores: '/x',
      }),
    ).rejects.toThrow(/strategy 'scored' \(strategies\/scored.ts\) failed to prepare: no such column/);
  });
});

const TARGETS = `  backtests/top:
    rule: backtest
    deps: [//canonical/dow30, //features/dow30]
    config: bt_top.yaml
  backtests/undeclared_dep:
    rule: backtest
    deps: [//canonical/dow30]
    config: bt_top.yaml
  backtests/unbound:
    rule: backtest
    deps: [//canonical/dow30]
    config: bt_unbound.yaml
`;
const BACKTEST = `from: //canonical/dow30
symbols: [AA, GE, IBM, KO, PG]
start: '1995-01-01'
end: '1996-12-31'
costs: {fees: {bps: 1}, execution: {price: close}}
account: {initial_cash: 100000}
`;

describe('the shipped feature_top_k strategy, reading a feature set it declares', () => {
  let ws: TestWorkspace;
  beforeAll(() => {
    ws = dow30Workspace({
      targets: TARGETS,
      files: {
        'bt_top.yaml': `${BACKTEST}strategy: {kind: feature_top_k, data: {features: //features/dow30}, column: rsi_14, top: 2, every: 21}\n`,
        'bt_unbound.yaml': `${BACKTEST}strategy: {kind: feature_top_k, column: rsi_14, top: 2}\n`,
      },
      rules: ['backtest'],
    });
  });
  afterAll(() => ws?.dispose());

  it('trades on the RSI it reads, records the data it was bound to, and rebuilds when the feature set changes', async () => {
    const r = await ws.build('//backtests/top');
    expect(r.code, JSON.stringify(r.targets.filter((t) => t.status === 'failed'))).toBe(0);
    const metrics = JSON.parse(ws.read('cache/out/backtests/top/metrics.json'));
    expect(metrics.strategy).toMatchObject({ kind: 'feature_top_k', data: { features: '//features/dow30' } });
    expect(metrics.metrics.round_trips).toBeGreaterThan(0);
    const record = JSON.parse(ws.read('cache/out/backtests/top/strategy.json'));
    expect(record.strategy.data).toEqual({ features: '//features/dow30' });

    // Another RSI window: the feature set's outputs change, and with them the backtest's key and positions.
    ws.write('features.yaml', ws.read('features.yaml').replace('window: 14', 'window: 5'));
    const again = await ws.build('//backtests/top');
    expect(again.status['//backtests/top']).toBe('built');
    expect(ws.read('cache/out/backtests/top/metrics.json')).not.toBe(JSON.stringify(metrics, null, 2));
    expect(JSON.parse(ws.read('cache/out/backtests/top/metrics.json')).metrics.total_return).not.toBe(
      metrics.metrics.total_return,
    );
  }, 180_000);

  it('a bound target missing from deps is a config error naming it; data left unbound fails the target saying what to add', async () => {
    const undeclared = await ws.cli('build', '--no-tui', '//backtests/undeclared_dep');
    expect(undeclared.code).toBe(2);
    expect(undeclared.err).toMatch(
      /\/\/backtests\/undeclared_dep reads \/\/features\/dow30, which is not among its deps/,
    );
    const r = await ws.build('//backtests/unbound');
    expect(r.code).toBe(1);
    expect(r.targets.find((t) => t.label === '//backtests/unbound')?.error).toMatch(
      /data: features is not bound \(a feature set .*\): add data: \{features: \/\/<target>\} beside kind/,
    );
  }, 180_000);
});
