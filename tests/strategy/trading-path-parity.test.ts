import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDb, queryRows, sqlString } from '../../src/data/store/duckdb.js';
import { experimentConfigSchema } from '../../src/rl/experiment-config.js';
import { loadEnvMarket } from '../../src/rl/load-env-market.js';
import { loadTradingPolicy, tradingPolicyTrades } from '../../src/rl/trading-policy.js';
import { dow30Workspace, tinyExperimentYaml } from '../helpers/dow30-workspace.js';
import { REPO_ROOT, type TestWorkspace } from '../helpers/workspace.js';

/**
 * Parity: every shipped strategy, backtested on the trading path and traded in a paper session
 * on the simulated broker over the same bars, gives the same fills, positions and equity to the
 * last bit. The two are different rules (different loading, configs, outputs); what they share
 * is the one trading path, so any drift between them is a bug this catches.
 */
const SHIPPED: Record<string, string> = {
  buy_and_hold: '{kind: buy_and_hold}',
  equal_weight: '{kind: equal_weight, every: 21}',
  sma_crossover: '{kind: sma_crossover, fast: 10, slow: 40}',
  momentum: '{kind: momentum, lookback: 60, skip: 5, top: 0.34, every: 21}',
  dollar_cost_averaging: '{kind: dollar_cost_averaging, every: 10, budget_share: 0.05}',
  rolling_drawdown_accumulation:
    '{kind: rolling_drawdown_accumulation, window: 20, threshold: 0.05, budget_share: 0.1, cooldown: 10}',
  peak_to_trough_buying: '{kind: peak_to_trough_buying, levels: [0.05, 0.1], budget_share: 0.2}',
  pairs_mean_reversion: '{kind: pairs_mean_reversion, lookback: 40, entry_z: 1.5, exit_z: 0.25}',
  indicator_vote: '{kind: indicator_vote, min_votes: 2}',
  feature_top_k: '{kind: feature_top_k, data: {features: //features/dow30}, column: rsi_14, top: 2, every: 21}',
  ppo_policy: '{kind: ppo_policy, data: {experiment: //experiments/tiny, features: //features/dow30}}',
};
/** Strategies that read data beyond their bars: their targets' deps. */
const DEPS_OF: Record<string, string> = {
  feature_top_k: ', //features/dow30',
  ppo_policy: ', //experiments/tiny, //features/dow30',
};
const SYMBOLS = '[AA, GE, IBM]';
/** Strategies that trade other symbols than SYMBOLS (a pair is two). */
const SYMBOLS_OF: Record<string, string> = { pairs_mean_reversion: '[KO, PG]' };
const RISK =
  '{max_position_fraction: 1, max_order_notional: 1.0e9, min_order_notional: 0, max_daily_loss: 0.5, price_band: 1}';
/** The tiny experiment's costs (tinyExperimentYaml), so its policy's own sessions compare with the strategy's. */
const COSTS = '{fees: {bps: 10}, execution: {price: close}}';
/** The tiny experiment's test window, where its environment's own test episode is. */
const TEST_WINDOW = "{start: '1996-01-01', end: '1996-06-30'}";

function parityWorkspace(): TestWorkspace {
  const targets = Object.keys(SHIPPED)
    .map(
      (k) => `  backtests/${k}:
    rule: backtest
    deps: [//canonical/dow30${DEPS_OF[k] ?? ''}]
    config: bt_${k}.yaml
  paper/${k}:
    rule: paper_session
    deps: [//canonical/dow30${DEPS_OF[k] ?? ''}]
    config: paper_${k}.yaml
`,
    )
    .join('');
  const files: Record<string, string> = {};
  for (const [k, strategy] of Object.entries(SHIPPED)) {
    const symbols = SYMBOLS_OF[k] ?? SYMBOLS;
    files[`bt_${k}.yaml`] = `from: //canonical/dow30
symbols: ${symbols}
start: '1996-01-01'
end: '1997-12-31'
engine: trading_path
strategy: ${strategy}
costs: ${COSTS}
account: {initial_cash: 100000}
risk: ${RISK}
`;
    files[`paper_${k}.yaml`] = `strategy: ${strategy}
from: //canonical/dow30
symbols: ${symbols}
window: {start: '1996-01-01', end: '1997-12-31'}
costs: ${COSTS}
initial_cash: 100000
risk: ${RISK}
`;
  }
  // The tiny experiment whose policy trades as ppo_policy, and sessions of it as an experiment's policy.
  const policyTargets = `  experiments/tiny:
    rule: ppo_experiment
    deps: [//canonical/dow30, //features/dow30]
    config: experiment.yaml
  paper/policy_tiny:
    rule: paper_session
    deps: [//experiments/tiny, //canonical/dow30, //features/dow30]
    config: paper_policy_tiny.yaml
  experiments/tiny_rich:
    rule: ppo_experiment
    deps: [//canonical/dow30, //features/dow30]
    config: experiment_rich.yaml
  paper/policy_tiny_rich_test:
    rule: paper_session
    deps: [//experiments/tiny_rich, //canonical/dow30, //features/dow30]
    config: paper_policy_tiny_rich_test.yaml
`;
  // Its symbols are SYMBOLS, its costs COSTS and its cash the sessions' (100000).
  files['experiment.yaml'] = tinyExperimentYaml({ env: 'initial_cash: 100000' });
  files['paper_policy_tiny.yaml'] = `from: //experiments/tiny
window: {start: '1996-01-01', end: '1997-12-31'}
risk: ${RISK}
`;
  // With cash that never runs out, nothing the environment caps at the fill (and the risk engine at the decision) binds.
  files['experiment_rich.yaml'] = tinyExperimentYaml({ env: 'initial_cash: 1.0e9' });
  files['paper_policy_tiny_rich_test.yaml'] = `from: //experiments/tiny_rich
window: ${TEST_WINDOW}
risk: ${RISK}
`;
  return dow30Workspace({
    targets: targets + policyTargets,
    files,
    rules: ['backtest', 'paper_session', 'ppo_experiment'],
  });
}

interface Fill {
  date: string;
  symbol: string;
  shares: number;
  price: number;
  fee: number;
}

describe('the shipped strategies', () => {
  const shipped = readdirSync(join(REPO_ROOT, 'strategies'))
    .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
    .map((f) => f.slice(0, -3))
    .sort();
  it('each has a parity test below and a backtest target in the default workspace', () => {
    expect(Object.keys(SHIPPED).sort()).toEqual(shipped);
    const pipeline = readFileSync(join(REPO_ROOT, 'quanto.pipeline.yaml'), 'utf8');
    for (const kind of shipped) {
      const configs = readdirSync(join(REPO_ROOT, 'configs', 'backtests')).filter((f) =>
        new RegExp(`kind: ${kind}\\b`).test(readFileSync(join(REPO_ROOT, 'configs', 'backtests', f), 'utf8')),
      );
      expect(
        configs.some((f) => pipeline.includes(`config: configs/backtests/${f}`)),
        `no backtest target of the default workspace trades ${kind}`,
      ).toBe(true);
    }
  });
});

describe('one trading path: backtest and paper session agree for every shipped strategy', () => {
  let ws: TestWorkspace;
  const parquet = async <T>(file: string, sql: (table: string) => string): Promise<T[]> => {
    const { connection, close } = await openDuckDb(1);
    try {
      return await queryRows<T>(connection, sql(sqlString(ws.path('cache', 'out', file))));
    } finally {
      close();
    }
  };
  beforeAll(async () => {
    ws = parityWorkspace();
    const r = await ws.build('//backtests/...', '//paper/...');
    if (r.code !== 0) throw new Error(JSON.stringify(r.targets.filter((t) => t.status === 'failed')));
  }, 300_000);
  afterAll(() => ws?.dispose());

  for (const kind of Object.keys(SHIPPED))
    it(`${kind}: the same fills, positions and equity`, async () => {
      const decisions = JSON.parse(ws.read(`cache/out/paper/${kind}/decisions.json`)) as {
        fills: Fill[];
        final_state: string;
        broker: { end: { positions: { symbol: string; qty: number }[] } };
      };
      expect(decisions.final_state).toBe('ACTIVE');
      const paperFills = decisions.fills.map(({ date, symbol, shares, price, fee }) => ({
        date,
        symbol,
        shares,
        price,
        fee,
      }));
      const backtestFills = await parquet<Fill>(
        `backtests/${kind}/fills.parquet`,
        (t) => `SELECT strftime(date, '%Y-%m-%d') AS date, symbol, shares, price, fee FROM ${t} ORDER BY fill_id`,
      );
      expect(paperFills.length).toBeGreaterThan(0);
      expect(backtestFills).toEqual(paperFills);

      const paperEquity = ws
        .read(`cache/out/paper/${kind}/equity.jsonl`)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { date: string; equity: number });
      const backtestEquity = await parquet<{ date: string; equity: number }>(
        `backtests/${kind}/equity.parquet`,
        (t) => `SELECT strftime(date, '%Y-%m-%d') AS date, equity FROM ${t} ORDER BY date`,
      );
      expect(backtestEquity).toEqual(paperEquity);

      const held = new Map<string, number>();
      let shortest = 0;
      for (const f of backtestFills) {
        held.set(f.symbol, (held.get(f.symbol) ?? 0) + f.shares);
        shortest = Math.min(shortest, held.get(f.symbol)!);
      }
      // A pair is long one leg and short the other: the path carries short positions too.
      if (kind === 'pairs_mean_reversion') expect(shortest).toBeLessThan(0);
      expect(
        [...held]
          .filter(([, q]) => q !== 0)
          .map(([symbol, qty]) => ({ symbol, qty }))
          .sort((a, b) => (a.symbol < b.symbol ? -1 : 1)),
      ).toEqual(decisions.broker.end.positions);
    });

  const paperRun = (target: string) => ({
    fills: (JSON.parse(ws.read(`cache/out/paper/${target}/decisions.json`)) as { fills: Fill[] }).fills.map(
      ({ date, symbol, shares, price, fee }) => ({ date, symbol, shares, price, fee }),
    ),
    equity: ws
      .read(`cache/out/paper/${target}/equity.jsonl`)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { date: string; equity: number }),
  });

  it("an experiment's policy trades as the ppo_policy strategy: its session is the strategy's, fill for fill", () => {
    const policy = paperRun('policy_tiny');
    expect(policy.fills.length).toBeGreaterThan(0);
    expect(policy).toEqual(paperRun('ppo_policy'));
    const decisions = JSON.parse(ws.read('cache/out/paper/policy_tiny/decisions.json'));
    expect(decisions.config.strategy).toEqual({
      kind: 'ppo_policy',
      data: { experiment: '//experiments/tiny', features: '//features/dow30' },
    });
    // Each intent says what the policy read (its observation, by digest) and the action it took.
    for (const i of decisions.intents) {
      expect(i.inputs.observation_sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(Number.isFinite(i.inputs.action)).toBe(true);
    }
  });

  it('the policy trades on the trading path exactly as in its training environment (its test episode), while cash does not bind', () => {
    const episode = ws
      .read('cache/out/experiments/tiny_rich/episodes/test.jsonl')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { executed: string; value: number; fills: { shares: number }[] });
    const { equity, fills } = paperRun('policy_tiny_rich_test');
    const valueOn = new Map(equity.map((e) => [e.date, e.equity]));
    expect(episode.length).toBe(equity.length - 1);
    expect(fills.length).toBe(episode.reduce((n, step) => n + step.fills.length, 0));
    for (const step of episode) expect(valueOn.get(step.executed), step.executed).toBe(step.value);
  });

  it("a trained policy loaded outside its environment makes the environment's first test decision; a model its features do not fit is refused", async () => {
    const experiment = ws.path('cache', 'out', 'experiments', 'tiny_rich');
    const features = ws.path('cache', 'out', 'features', 'dow30');
    const config = experimentConfigSchema.parse(
      JSON.parse(ws.read('cache/out/experiments/tiny_rich/manifest.json')).config,
    );
    const first = JSON.parse(ws.read('cache/out/experiments/tiny_rich/episodes/test.jsonl').split('\n')[0]!) as {
      date: string;
      fills: { asset: number; shares: number }[];
    };
    const { market } = await loadEnvMarket(
      config,
      ws.path('cache', 'out', 'canonical', 'dow30', 'equity_bars'),
      join(features, 'features'),
      config.test,
    );
    const t = market.dates.indexOf(first.date);
    const policy = await loadTradingPolicy(experiment, features);
    expect(policy.symbols).toEqual(['AA', 'GE', 'IBM']);
    const decide = () =>
      tradingPolicyTrades(policy, {
        date: first.date,
        cash: 1e9,
        close: (i) => market.close[i]![t]!,
        holding: () => 0,
      });
    const { trades, action, observation } = decide();
    expect(observation[0]).toBe(1e9);
    expect(action).toHaveLength(3);
    expect(first.fills.length).toBeGreaterThan(0);
    expect(trades.map(({ asset, shares }) => ({ asset, shares }))).toEqual(
      first.fills.map(({ asset, shares }) => ({ asset, shares })),
    );
    expect(decide().action).toEqual(action); // deterministic
    policy.policy.policy.dispose();

    const altered = mkdtempSync(join(tmpdir(), 'quanto-policy-'));
    try {
      cpSync(experiment, altered, { recursive: true, dereference: true });
      const manifest = JSON.parse(readFileSync(join(altered, 'manifest.json'), 'utf8'));
      manifest.config.features.columns = ['rsi_14', 'rsi_14_again'];
      writeFileSync(join(altered, 'manifest.json'), JSON.stringify(manifest));
      await expect(loadTradingPolicy(altered, features)).rejects.toThrow(
        /model\.json: an observation of 10 values, not the 13 that 3 assets and 2 features make/,
      );
    } finally {
      rmSync(altered, { recursive: true, force: true });
    }
  });

  it('a bracket on the trading path: the backtest and the paper session protect positions alike, to the last bit', async () => {
    const bracket = 'bracket: {stop_loss: 0.03, take_profit: 0.08, trailing_stop: 0.05}\n';
    ws.write('bt_sma_crossover.yaml', ws.read('bt_sma_crossover.yaml') + bracket);
    ws.write('paper_sma_crossover.yaml', ws.read('paper_sma_crossover.yaml') + bracket);
    const r = await ws.build('//backtests/sma_crossover', '//paper/sma_crossover');
    expect(r.code, JSON.stringify(r.targets.filter((t) => t.status === 'failed'))).toBe(0);
    const decisions = JSON.parse(ws.read('cache/out/paper/sma_crossover/decisions.json')) as {
      intents: { reduce_only?: boolean; type?: string; order_class?: string }[];
      orders: { intent_id: string; client_order_id: string }[];
      fills: (Fill & { client_order_id: string })[];
    };
    const protective = decisions.intents.filter((i) => i.reduce_only && (i.type || i.order_class));
    expect(protective.length).toBeGreaterThan(0);
    expect(protective.some((i) => i.order_class === 'oco')).toBe(true);
    // And some position was closed by its protection, not by the strategy.
    const exitOrders = new Set(
      decisions.orders.filter((o) => o.intent_id.endsWith(':exit')).map((o) => o.client_order_id),
    );
    expect(decisions.fills.some((f) => exitOrders.has(f.client_order_id))).toBe(true);
    const backtestFills = await parquet<Fill>(
      'backtests/sma_crossover/fills.parquet',
      (t) => `SELECT strftime(date, '%Y-%m-%d') AS date, symbol, shares, price, fee FROM ${t} ORDER BY fill_id`,
    );
    expect(backtestFills).toEqual(
      decisions.fills.map(({ date, symbol, shares, price, fee }) => ({ date, symbol, shares, price, fee })),
    );
    const record = JSON.parse(ws.read('cache/out/backtests/sma_crossover/strategy.json'));
    expect(record.exits).toMatchObject({ stop_loss: 0.03, take_profit: 0.08, trailing_stop: 0.05 });
  });

  it("risk limits outside the trading path, and strategy settings in a policy's session, are config errors at their line", async () => {
    const bt = ws.read('bt_buy_and_hold.yaml');
    ws.write('bt_buy_and_hold.yaml', bt.replace('engine: trading_path', 'engine: event_driven'));
    let r = await ws.cli('build', '//backtests/buy_and_hold', '--no-tui');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bt_buy_and_hold\.yaml:\d+:\d+: .*key 'risk': risk limits apply on the trading path/);
    ws.write('bt_buy_and_hold.yaml', bt);
    const paper = ws.read('paper_buy_and_hold.yaml');
    ws.write(
      'paper_buy_and_hold.yaml',
      paper.replace(/^strategy: .*\n/, '').replace('//canonical/dow30', '//experiments/none'),
    );
    r = await ws.cli('build', '//paper/buy_and_hold', '--no-tui');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/paper_buy_and_hold\.yaml:\d+:\d+: .*key 'symbols': symbols is for a strategy's session/);
    ws.write('paper_buy_and_hold.yaml', paper);
  });
});
