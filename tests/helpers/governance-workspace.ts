import { dow30Workspace } from './dow30-workspace.js';
import type { TestWorkspace } from './workspace.js';

/** A small experiment of the family 'tiny' over three Dow stocks, with regime slices. */
export const experiment = (seed: number): string => `from: //canonical/dow30
symbols: [AA, GE, IBM]
features: {from: //features/dow30, columns: [rsi_14]}
train: {start: '1995-01-01', end: '1995-12-31'}
test: {start: '1996-01-01', end: '1996-12-31'}
family: tiny
seed: ${seed}
costs: {fees: {bps: 10}, execution: {price: close}}
env: {hmax: 10000}
ppo: {total_timesteps: 512, n_steps: 256, batch_size: 64, n_epochs: 2}
baselines: [{kind: buy_and_hold}]
regimes:
  from: //features/regime
  symbol: GE
  slices:
    - {name: high_vol, when: [{column: vol_regime, op: '==', value: 2}]}
    - {name: low_vol, when: [{column: vol_regime, op: '==', value: 0}]}
`;

export const gates = (
  drawdownFloor: number,
): string => `from: {candidate: //experiments/tiny, baseline: //backtests/base}
family: tiny
hard:
  - {name: max_drawdown, metric: max_drawdown, op: '>=', threshold: ${drawdownFloor}}
  - {name: high_vol_max_drawdown, metric: max_drawdown, regime: low_vol, op: '>=', threshold: -0.9}
  - {name: max_gross_exposure, metric: gross_exposure_max, op: '<=', threshold: 1.0}
  - {name: deflated_sharpe, metric: deflated_sharpe, op: '>=', threshold: 0}
soft:
  - {name: sharpe_vs_baseline, metric: sharpe, vs_baseline: true, weight: 0.5}
`;

/** A small research program with its governance: an experiment, a second variant, its baseline, its gates, a shadow replay. */
export function governanceWorkspace(): TestWorkspace {
  return dow30Workspace({
    targets: `  features/regime:
    rule: features
    deps: [//canonical/dow30]
    config: regime.yaml
  experiments/tiny:
    rule: ppo_experiment
    deps: [//canonical/dow30, //features/dow30, //features/regime]
    config: experiment.yaml
  experiments/tiny_b:
    rule: ppo_experiment
    deps: [//canonical/dow30, //features/dow30, //features/regime]
    config: experiment_b.yaml
    tags: [manual]
  backtests/base:
    rule: backtest
    deps: [//canonical/dow30]
    config: base.yaml
  qualification/tiny:
    rule: qualification
    deps: [//experiments/tiny, //backtests/base]
    srcs: [ledger/holdout.jsonl]
    config: gates.yaml
  promotions/candidate/tiny:
    rule: promotion_status
    deps: [//experiments/tiny, //qualification/tiny]
    srcs: [promotions/candidate/tiny/*.json]
    config: promotion_status.yaml
  shadow/tiny:
    rule: shadow_replay
    deps: [//experiments/tiny, //promotions/candidate/tiny, //canonical/dow30, //features/dow30]
    config: shadow.yaml
    tags: [manual]
`,
    files: {
      'regime.yaml':
        'from: //canonical/dow30\nadjust: splits\nname: regime\nversion: 1\nlag: 0\nfeatures: [{name: vol_regime, kind: volatility_regime, window: 20, lookback: 252, periods_per_year: 252}]\n',
      'experiment.yaml': experiment(1),
      'experiment_b.yaml': experiment(2),
      'base.yaml':
        "from: //canonical/dow30\nsymbols: [AA, GE, IBM]\nstart: '1996-01-01'\nstrategy: {kind: equal_weight, every: 21}\ncosts: {fees: {bps: 10}, execution: {price: close}}\n",
      'gates.yaml': gates(-0.9),
      'ledger/holdout.jsonl': '',
      'promotion_status.yaml':
        'from: {candidate: //experiments/tiny, qualification: //qualification/tiny}\ntier: candidate\npromotions: promotions/candidate/tiny/*.json\n',
      'shadow.yaml':
        "from: {experiment: //experiments/tiny, promotion: //promotions/candidate/tiny}\nwindow: {start: '1996-01-01', end: '1996-12-31'}\nrisk: {max_position_fraction: 0.5, max_daily_loss: 0.5}\n",
    },
    rules: ['ppo_experiment', 'backtest', 'qualification', 'promotion_status', 'shadow_replay'],
  });
}
