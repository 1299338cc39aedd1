import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dow30Workspace, tinyExperimentYaml } from '../helpers/dow30-workspace.js';
import type { TestWorkspace } from '../helpers/workspace.js';

/** A paper session of a small experiment's policy on the simulated broker. */
describe('paper session on the simulated broker', () => {
  let ws: TestWorkspace;
  beforeAll(async () => {
    ws = dow30Workspace({
      targets: `  experiments/tiny:
    rule: ppo_experiment
    deps: [//canonical/dow30, //features/dow30]
    config: experiment.yaml
  paper/tiny:
    rule: paper_session
    deps: [//experiments/tiny, //canonical/dow30, //features/dow30]
    config: paper.yaml
`,
      files: {
        'experiment.yaml': tinyExperimentYaml(),
        'paper.yaml':
          "from: //experiments/tiny\nwindow: {start: '1996-07-01', end: '1996-12-31'}\nrisk: {max_position_fraction: 0.5}\n",
      },
      rules: ['ppo_experiment', 'paper_session'],
    });
    const r = await ws.build('--jobs', '0', '//paper/tiny');
    if (r.code !== 0) throw new Error(JSON.stringify(r.targets.filter((t) => t.status === 'failed')));
  }, 120_000);
  afterAll(() => ws?.dispose());

  it('writes decisions.json: config, broker snapshots, intents with their inputs, risk decisions, orders, fills', () => {
    const d = JSON.parse(ws.read('cache/out/paper/tiny/decisions.json'));
    expect(d.config).toMatchObject({
      experiment: '//experiments/tiny',
      broker: 'simulated',
      window: { start: '1996-07-01', end: '1996-12-31' },
    });
    expect(d.broker.start).toEqual({ cash: 1_000_000, positions: [] });
    expect(d.intents.length).toBeGreaterThan(0);
    expect(d.fills.length).toBeGreaterThan(0);
    for (const i of d.intents) expect(i.inputs.observation_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(d.risk_decisions.map((x: { intent_id: string }) => x.intent_id)).toEqual(
      d.intents.map((i: { id: string }) => i.id),
    );
    const ids = d.orders.map((o: { client_order_id: string }) => o.client_order_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(d.fills.every((f: { client_order_id: string }) => ids.includes(f.client_order_id))).toBe(true);
    expect(d.reconciliation).toEqual({ start: [], end: [] });
    const ledger = ws
      .read('cache/out/paper/tiny/ledger.jsonl')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(ledger).toHaveLength(d.fills.length);
    expect(d.broker.end.cash).toBeCloseTo(ledger.at(-1).cash_after, 6);
  });

  it('runs again to the same bytes', async () => {
    const verified = await ws.cli('verify', '--jobs', '0', '//paper/tiny');
    expect(verified.code, verified.out + verified.err).toBe(0);
  }, 120_000);
});
