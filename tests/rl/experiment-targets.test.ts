import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHoldoutLedger, trialsOf } from '../../src/engine/research-integrity/holdout-ledger.js';
import { dow30Workspace, tinyExperimentYaml } from '../helpers/dow30-workspace.js';
import { REPO_ROOT, runCli } from '../helpers/workspace.js';

const SEED1 = 'core_v1_ppo@seed=1';
const SEED2 = 'core_v1_ppo@seed=2';

/** The repository's RL experiments, built end to end from the sample data into a throwaway cache. */
describe('//experiments/core_v1_ppo (a matrix of two seeds) from the sample data', () => {
  let cache: string;
  let build: { targets: { label: string; status: string; outputs: Record<string, string> }[] };
  const out = (target: string, file: string) => join(cache, 'out', 'experiments', target, file);
  const json = (target: string, file: string) => JSON.parse(readFileSync(out(target, file), 'utf8'));

  beforeAll(async () => {
    cache = mkdtempSync(join(tmpdir(), 'quanto-experiments-'));
    process.env.QUANTO_CACHE_DIR = cache;
    process.env.QUANTO_HOLDOUT_LEDGER = join(cache, 'holdout.jsonl'); // not the repository's ledger
    const r = await runCli([
      '-C',
      REPO_ROOT,
      'build',
      '--json',
      '--jobs',
      '0',
      '//experiments/core_v1_ppo',
      '//reports/core_v1_ppo',
    ]);
    if (r.code !== 0) throw new Error(r.out + r.err);
    build = JSON.parse(r.out);
  }, 900_000); // two PPO trainings on the main thread, beside another test file on a 2-core machine
  afterAll(() => {
    delete process.env.QUANTO_CACHE_DIR;
    delete process.env.QUANTO_HOLDOUT_LEDGER;
    rmSync(cache, { recursive: true, force: true });
  });

  it('writes the model: weights and their manifest, the observation layout and its normalisation statistics', () => {
    const model = json(SEED1, 'model/model.json');
    expect(model.format).toBe('quanto-ppo-gaussian-mlp/1');
    expect(model.backend).toBe('wasm');
    expect(model.action.size).toBe(30);
    expect(model.observation.size).toBe(1 + 30 + 30 + 6 * 30); // cash, closes, holdings, 6 features per asset
    expect(model.observation.layout.slice(0, 2)).toEqual(['cash', 'close:AA']);
    expect(model.observation.normalization.mean).toHaveLength(model.observation.size);
    const floats = model.weights.variables.reduce(
      (n: number, v: { shape: number[] }) => n + v.shape.reduce((a, b) => a * b, 1),
      0,
    );
    expect(statSync(out(SEED1, 'model/weights.bin')).size).toBe(4 * floats);
  });

  it('evaluates on the test window only, beside the baselines, with curves, episode logs and the run manifest', () => {
    const metrics = json(SEED1, 'evaluation/metrics.json');
    expect(metrics.window).toEqual({ start: '1998-01-02', end: '2000-12-29', sessions: 756 });
    expect(metrics.in_sample.window.end < '1998-01-01').toBe(true);
    for (const k of [
      'sharpe',
      'sortino',
      'max_drawdown',
      'cagr',
      'calmar',
      'psr0',
      'dsr',
      'turnover_annual',
      'hit_rate',
    ])
      expect(metrics.metrics).toHaveProperty(k);
    const comparison = json(SEED1, 'evaluation/comparison.json');
    expect(comparison.rows.map((r: { name: string }) => r.name)).toEqual([
      'ppo policy',
      'buy_and_hold',
      'equal_weight every=21',
      'sma_crossover fast=50 slow=200',
      'momentum lookback=252 skip=21 top=0.3 every=21',
    ]);
    expect(comparison.rows[0].sharpe).toBeCloseTo(metrics.metrics.sharpe, 12);
    const curves = json(SEED1, 'training/curves.json');
    expect(curves).toHaveLength(10); // 20,480 steps in iterations of 2,048
    expect(curves.at(-1).timesteps).toBe(20_480);
    const svg = readFileSync(out(SEED1, 'training/curves.svg'), 'utf8');
    for (const id of ['episode_reward', 'policy_loss', 'value_loss', 'entropy', 'approx_kl', 'clip_fraction'])
      expect(svg).toContain(`id="${id}"`);
    const steps = readFileSync(out(SEED1, 'episodes/test.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(steps).toHaveLength(755);
    expect(steps[0].date).toBe('1998-01-02');
    expect(steps[0].executed).toBe('1998-01-05'); // decided on a close, filled on the next session
    const manifest = json(SEED1, 'manifest.json');
    const outputsOf = (label: string) => build.targets.find((t) => t.label === label)!;
    expect(Object.keys(manifest.inputs)).toEqual([
      '//canonical/dow30_close',
      '//features/dow30_core',
      '//features/dow30_regime',
    ]);
    expect(manifest.inputs['//features/dow30_core']).toMatch(/^[0-9a-f]{64}$/);
    expect(outputsOf('//experiments/core_v1_ppo@seed=1').status).toBe('built');
  });

  it("each experiment's look at its test window is a trial in the holdout ledger of its family", () => {
    const ledger = readHoldoutLedger(join(cache, 'holdout.jsonl'));
    const trials = trialsOf(ledger, 'core_v1_ppo');
    expect(trials.map((t) => t.target).sort()).toEqual([
      '//experiments/core_v1_ppo@seed=1',
      '//experiments/core_v1_ppo@seed=2',
    ]);
    for (const t of trials) {
      expect(t.observations).toBe(755);
      expect(typeof t.sharpe_per_period).toBe('number');
    }
  });

  it('the report target renders the test window against the declared baseline; quanto report says where', async () => {
    const html = readFileSync(join(cache, 'out', 'reports', 'core_v1_ppo', 'tearsheet.html'), 'utf8');
    for (const id of ['equity', 'drawdown', 'rolling_sharpe', 'monthly_returns', 'exposure'])
      expect(html).toContain(`<svg id="${id}"`);
    expect(html).toContain('data-series="//backtests/dow30_equal_weight_1998_2000"');
    expect(html).toContain('Test window 1998-01-02 to 2000-12-29');
    const r = await runCli(['-C', REPO_ROOT, 'report', '//reports/core_v1_ppo']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(join(cache, 'out', 'reports', 'core_v1_ppo', 'tearsheet.html'));
    const none = await runCli(['-C', REPO_ROOT, 'report', '//canonical/dow30_close']);
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/has no tearsheet.html/);
  });

  it('another seed is another point of the matrix: other weights, other key', () => {
    const a = readFileSync(out(SEED1, 'model/weights.bin'));
    const b = readFileSync(out(SEED2, 'model/weights.bin'));
    expect(a.equals(b)).toBe(false);
    expect(json(SEED1, 'manifest.json').seed).not.toBe(json(SEED2, 'manifest.json').seed);
  });
});

describe('an experiment rebuilt from scratch', () => {
  it('gives the same bytes (quanto verify), weights and metrics included; turbulence blocks buying', async () => {
    const ws = dow30Workspace({
      targets: `  experiments/tiny:
    rule: ppo_experiment
    deps: [//canonical/dow30, //features/dow30]
    config: experiment.yaml
`,
      files: {
        'experiment.yaml': tinyExperimentYaml({
          env: 'turbulence_threshold: 6',
          extra: 'turbulence: {lookback: 60}\n',
        }),
      },
      rules: ['ppo_experiment'],
    });
    try {
      const built = await ws.build('--jobs', '0', '//experiments/tiny');
      expect(built.code, JSON.stringify(built.targets)).toBe(0);
      const steps = readFileSync(ws.path('cache', 'out', 'experiments', 'tiny', 'episodes', 'train.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const turbulent = steps.filter((x) => x.turbulent);
      expect(turbulent.length).toBeGreaterThan(0);
      expect(steps.slice(0, 60).some((x) => x.turbulent)).toBe(false); // no index before the lookback fills
      for (const x of turbulent) expect(x.traded.every((n: number) => n <= 0)).toBe(true); // nothing bought
      const ledgerFile = ws.path('ledger', 'holdout.jsonl');
      expect(readHoldoutLedger(ledgerFile).map((e) => e.family)).toEqual(['//experiments/tiny']);
      const verified = await ws.cli('verify', '--jobs', '0', '//experiments/tiny');
      expect(verified.code, verified.out + verified.err).toBe(0);
      expect(readHoldoutLedger(ledgerFile)).toHaveLength(1); // a reproducibility rebuild is not another trial
      expect((await ws.build('//experiments/tiny')).status['//experiments/tiny']).toBe('cached');
      expect(readHoldoutLedger(ledgerFile)).toHaveLength(1); // nor is a cache hit
      expect(verified.out + verified.err).toMatch(/bit-identical/);
      // The training seed is the config's, not the key's: a change that moves the key but not
      // the arithmetic (here, the holdout family) retrains the same weights.
      const weights = () => readFileSync(ws.path('cache', 'out', 'experiments', 'tiny', 'model', 'weights.bin'));
      const before = weights();
      ws.write(
        'experiment.yaml',
        tinyExperimentYaml({
          env: 'turbulence_threshold: 6',
          extra: 'turbulence: {lookback: 60}\nfamily: tiny-ideas\n',
        }),
      );
      expect((await ws.build('--jobs', '0', '//experiments/tiny')).status['//experiments/tiny']).toBe('built');
      expect(weights().equals(before)).toBe(true);
    } finally {
      ws.dispose();
    }
  }, 120_000);
});
