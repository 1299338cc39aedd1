import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDb } from '../../src/data/store/duckdb.js';
import { writeRowsAsParquet } from '../../src/data/store/partitioned-writer.js';
import { evaluateGates, type GateInputs } from '../../src/governance/evaluate-gates.js';
import { gateConfigSchema } from '../../src/governance/gate-config.js';
import { qualify } from '../../src/governance/qualify.js';

const inputs = (
  o: Partial<{
    cand: Record<string, unknown> | null;
    base: Record<string, unknown> | null;
    regimes: Record<string, Record<string, unknown> | null>;
    dsr: number | null;
    noBaseline: boolean;
  }> = {},
): GateInputs => ({
  candidate: {
    label: '//experiments/x',
    metrics: o.cand === undefined ? { sharpe: 1.2, max_drawdown: -0.15, gross_exposure_max: 0.9 } : o.cand,
    regimes: o.regimes ?? { high_vol: { max_drawdown: -0.1 } },
    deflatedSharpe: o.dsr === undefined ? 0.97 : o.dsr,
  },
  baseline: o.noBaseline
    ? null
    : { label: '//backtests/b', metrics: o.base === undefined ? { sharpe: 0.8 } : o.base, regimes: {} },
});

const config = (hard: unknown[], soft: unknown[] = []) =>
  gateConfigSchema.parse({
    from: { candidate: '//experiments/x', baseline: '//backtests/b' },
    family: 'x',
    hard,
    soft,
  });

describe('qualification gates', () => {
  it('each kind of hard gate passes and fails on its threshold', () => {
    const gates = [
      { name: 'dd', metric: 'max_drawdown', op: '>=', threshold: -0.2 },
      { name: 'dd_high_vol', metric: 'max_drawdown', regime: 'high_vol', op: '>=', threshold: -0.2 },
      { name: 'exposure', metric: 'gross_exposure_max', op: '<=', threshold: 1 },
      { name: 'dsr', metric: 'deflated_sharpe', op: '>=', threshold: 0.95 },
      { name: 'beats', metric: 'sharpe', vs_baseline: true, op: '>', threshold: 0 },
    ];
    const pass = evaluateGates(config(gates), inputs());
    expect(pass.passed).toBe(true);
    expect(pass.hard.map((g) => g.measured)).toEqual([-0.15, -0.1, 0.9, 0.97, expect.closeTo(0.4, 12)]);
    const fail = evaluateGates(
      config(gates),
      inputs({
        cand: { sharpe: 0.5, max_drawdown: -0.3, gross_exposure_max: 1.5 },
        regimes: { high_vol: { max_drawdown: -0.35 } },
        dsr: 0.5,
      }),
    );
    expect(fail.passed).toBe(false);
    expect(fail.hard.map((g) => g.pass)).toEqual([false, false, false, false, false]);
    expect(fail.hard[0]!.reason).toBe('-0.3 not >= -0.2');
  });

  it('a missing baseline, metric or regime fails its gate with the reason, never skips', () => {
    const gates = [{ name: 'beats', metric: 'sharpe', vs_baseline: true, op: '>', threshold: 0 }];
    expect(evaluateGates(config(gates), inputs({ noBaseline: true })).hard[0]).toMatchObject({
      pass: false,
      measured: null,
      reason: 'missing input: the declared baseline has no outputs',
    });
    expect(evaluateGates(config(gates), inputs({ base: {} })).hard[0]!.reason).toMatch(
      /\/\/backtests\/b has no metric 'sharpe'/,
    );
    const regime = [{ name: 'r', metric: 'max_drawdown', regime: 'bear', op: '>=', threshold: -1 }];
    expect(evaluateGates(config(regime), inputs()).hard[0]!.reason).toMatch(/no regime slice 'bear'/);
    expect(evaluateGates(config(regime), inputs({ regimes: { bear: null } })).hard[0]!.reason).toMatch(
      /too few returns/,
    );
    const nan = [{ name: 'n', metric: 'sharpe', op: '>=', threshold: 0 }];
    expect(evaluateGates(config(nan), inputs({ cand: { sharpe: null } })).hard[0]!.reason).toMatch(
      /not a finite number/,
    );
  });

  it('soft evidence is reported with its weight and never blocks', () => {
    const r = evaluateGates(
      config(
        [{ name: 'ok', metric: 'sharpe', op: '>=', threshold: 0 }],
        [
          { name: 'turnover', metric: 'turnover_annual', weight: 0.2 },
          { name: 'delta', metric: 'sharpe', vs_baseline: true, weight: 0.5 },
        ],
      ),
      inputs(),
    );
    expect(r.passed).toBe(true);
    expect(r.soft[0]).toMatchObject({
      name: 'turnover',
      weight: 0.2,
      measured: null,
      reason: expect.stringMatching(/no metric 'turnover_annual'/),
    });
    expect(r.soft[1]).toMatchObject({ weight: 0.5, candidate_value: 1.2, baseline_value: 0.8 });
  });

  it('the config names each gate once and keeps deflated_sharpe to the candidate', () => {
    expect(() =>
      config([
        { name: 'a', metric: 'sharpe', op: '>', threshold: 0 },
        { name: 'a', metric: 'sortino', op: '>', threshold: 0 },
      ]),
    ).toThrow(/two gates are named a/);
    expect(() => config([{ name: 'd', metric: 'deflated_sharpe', vs_baseline: true, op: '>', threshold: 0 }])).toThrow(
      /whole window of the candidate/,
    );
  });
});

describe('qualification reports from artifacts, with the ledger deflating the Sharpe ratio', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quanto-qualify-'));
    for (const side of ['candidate', 'baseline']) mkdirSync(join(dir, side, 'evaluation'), { recursive: true });
    // A steady 0.1% a day with noise: a good Sharpe ratio on its own.
    let x = 7;
    const rand = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 4294967296;
    const equity = [100];
    for (let t = 1; t < 500; t++) equity.push(equity[t - 1]! * (1 + 0.001 + 0.02 * (rand() - 0.5)));
    writeFileSync(
      join(dir, 'candidate', 'evaluation', 'metrics.json'),
      JSON.stringify({ metrics: { sharpe: 1.5, max_drawdown: -0.1 } }),
    );
    writeFileSync(
      join(dir, 'candidate', 'evaluation', 'regime_slices.json'),
      JSON.stringify({ slices: [{ name: 'high_vol', metrics: { max_drawdown: -0.05 } }] }),
    );
    writeFileSync(join(dir, 'baseline', 'metrics.json'), JSON.stringify({ metrics: { sharpe: 0.7 } }));
    const { connection, close } = await openDuckDb(1);
    try {
      await writeRowsAsParquet(
        connection,
        {
          columns: [
            ['date', 'DATE'],
            ['equity', 'DOUBLE'],
          ],
          lines: equity.map((e, t) => `${new Date(Date.UTC(2020, 0, 1 + t)).toISOString().slice(0, 10)},${e}`),
        },
        join(dir, 'candidate', 'evaluation', 'equity.parquet'),
        'date',
      );
    } finally {
      close();
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const c = config([
    { name: 'dsr', metric: 'deflated_sharpe', op: '>=', threshold: 0.95 },
    { name: 'dd_high_vol', metric: 'max_drawdown', regime: 'high_vol', op: '>=', threshold: -0.2 },
    { name: 'beats', metric: 'sharpe', vs_baseline: true, op: '>', threshold: 0 },
  ]);
  const trial = (i: number, sharpe: number) => ({
    target: `//experiments/v${i}`,
    key: String(i).padStart(64, '0'),
    sharpe_per_period: sharpe,
  });

  it('one trial passes; fifty trials with spread-out Sharpe ratios cost it its significance', async () => {
    const one = await qualify(c, { candidate: join(dir, 'candidate'), baseline: join(dir, 'baseline') }, [
      trial(0, 0.1),
    ]);
    expect(one.passed).toBe(true);
    expect(one.trials).toMatchObject({ family: 'x', count: 1, sharpe_variance: 0, expected_max_sharpe: 0 });
    const fifty = await qualify(
      c,
      { candidate: join(dir, 'candidate'), baseline: join(dir, 'baseline') },
      Array.from({ length: 50 }, (_, i) => trial(i, 0.1 * Math.sin(i))),
    );
    expect(fifty.trials.count).toBe(50);
    expect(fifty.hard[0]!.measured!).toBeLessThan(one.hard[0]!.measured!);
    expect(fifty.passed).toBe(false);
    expect(fifty.hard.find((g) => !g.pass)!.name).toBe('dsr');
  });

  it('the report does not depend on the order the ledger holds the trials in (parallel builds finish in any order)', async () => {
    const trials = Array.from({ length: 7 }, (_, i) => trial(i, 0.1 * Math.sin(3 * i) + 1e-3 / (i + 1)));
    const forward = await qualify(c, { candidate: join(dir, 'candidate'), baseline: join(dir, 'baseline') }, trials);
    const backward = await qualify(
      c,
      { candidate: join(dir, 'candidate'), baseline: join(dir, 'baseline') },
      [...trials].reverse(),
    );
    expect(JSON.stringify(backward)).toBe(JSON.stringify(forward));
    expect(forward.trials.targets).toEqual([...forward.trials.targets].sort());
  });

  it('the report lists every artifact it read with its SHA-256, and a missing baseline fails', async () => {
    const r = await qualify(c, { candidate: join(dir, 'candidate'), baseline: null }, [trial(0, 0.1)]);
    expect(r.artifacts.map((a) => [a.target, a.file])).toEqual([
      ['//experiments/x', 'evaluation/metrics.json'],
      ['//experiments/x', 'evaluation/regime_slices.json'],
      ['//experiments/x', 'evaluation/equity.parquet'],
    ]);
    for (const a of r.artifacts) expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.passed).toBe(false);
    expect(r.hard.find((g) => g.name === 'beats')!.reason).toMatch(/baseline has no outputs/);
  });
});
