import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtestConfigSchema } from '../../src/backtest/backtest-config.js';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import { loadSessionDates } from '../../src/backtest/load-market-data.js';
import { openDuckDb, queryRows, sqlString } from '../../src/data/store/duckdb.js';
import { readHoldoutLedger } from '../../src/engine/research-integrity/holdout-ledger.js';
import { performanceMetrics } from '../../src/evaluation/performance-metrics.js';
import { shippedStrategy } from '../helpers/shipped-strategy.js';
import { REPO_ROOT, runCli, TestWorkspace } from '../helpers/workspace.js';

/** The repository's baseline backtests, built from the sample data into a throwaway cache. */
describe('backtest targets from the sample data', () => {
  let cache: string;
  const cli = (...args: string[]) => runCli(['-C', REPO_ROOT, ...args]);
  const out = (target: string, file: string) => join(cache, 'out', target, file);
  const metrics = (target: string) => JSON.parse(readFileSync(out(target, 'metrics.json'), 'utf8'));
  const parquet = async <T = Record<string, unknown>>(sql: string): Promise<T[]> => {
    const { connection, close } = await openDuckDb(1);
    try {
      return await queryRows<T>(connection, sql);
    } finally {
      close();
    }
  };

  beforeAll(async () => {
    cache = mkdtempSync(join(tmpdir(), 'quanto-backtests-'));
    process.env.QUANTO_CACHE_DIR = cache;
    process.env.QUANTO_HOLDOUT_LEDGER = join(cache, 'holdout.jsonl'); // not the repository's ledger
    const r = await cli('build', '--jobs', '0', '//backtests/...', '//evaluation/spx_sma_crossover_final');
    if (r.code !== 0) throw new Error(r.out + r.err);
  }, 400_000); // //backtests/dow30_ppo_policy trains its experiment
  afterAll(() => {
    delete process.env.QUANTO_CACHE_DIR;
    delete process.env.QUANTO_HOLDOUT_LEDGER;
    rmSync(cache, { recursive: true, force: true });
  });

  it('writes equity, positions, orders, fills, round trips and exposure as Parquet, and metrics.json agrees with the equity curve', async () => {
    const t = 'backtests/spx_sma_crossover';
    const equity = await parquet<{ date: string; equity: number }>(
      `SELECT strftime(date, '%Y-%m-%d') AS date, equity FROM ${sqlString(out(t, 'equity.parquet'))} ORDER BY date`,
    );
    const m = metrics(t);
    expect(m.period).toEqual({ start: '2000-01-03', end: equity.at(-1)!.date, sessions: equity.length });
    const recomputed = performanceMetrics(
      equity.map((r) => r.equity),
      252,
    );
    for (const k of ['sharpe', 'sortino', 'volatility', 'max_drawdown', 'cagr', 'calmar', 'psr0'] as const)
      expect(m.metrics[k]).toBeCloseTo(recomputed[k], 12);
    expect(m.metrics.dsr).toBeCloseTo(m.metrics.psr0, 12); // one trial: DSR is PSR against 0
    // Monte Carlo intervals (seeded, so in the bytes a rebuild compares) bracket the path taken.
    const mc = m.monte_carlo;
    expect(mc).toMatchObject({ samples: 1000, mean_block: 21, confidence: 0.9, seed: 1 });
    expect(mc.bootstrap.sharpe.low).toBeLessThan(m.metrics.sharpe);
    expect(mc.bootstrap.sharpe.high).toBeGreaterThan(m.metrics.sharpe);
    expect(mc.bootstrap.cagr.low).toBeLessThan(m.metrics.cagr);
    expect(mc.trade_shuffle.round_trips).toBe(m.metrics.round_trips);
    expect(readFileSync(out(t, 'tearsheet.html'), 'utf8')).toContain(
      'Monte Carlo, 90% intervals over 1000 stationary-bootstrap paths',
    );
    const fills = await parquet<{ n: bigint; fees: number }>(
      `SELECT count(*) AS n, sum(fee) AS fees FROM ${sqlString(out(t, 'fills.parquet'))}`,
    );
    expect(fills[0]!.fees).toBeCloseTo(m.metrics.fees, 6);
    const trips = await parquet<{ n: bigint }>(`SELECT count(*) AS n FROM ${sqlString(out(t, 'trades.parquet'))}`);
    expect(Number(trips[0]!.n)).toBe(m.metrics.round_trips);
    const exposure = await parquet<{ n: bigint; gross: number }>(
      `SELECT count(*) AS n, max(gross_exposure) AS gross FROM ${sqlString(out(t, 'exposure.parquet'))}`,
    );
    expect(Number(exposure[0]!.n)).toBe(equity.length);
    expect(exposure[0]!.gross).toBeLessThanOrEqual(1.001);
    const orders = await parquet<{ n: bigint }>(
      `SELECT count(*) AS n FROM ${sqlString(out(t, 'orders.parquet'))} WHERE status = 'filled'`,
    );
    expect(Number(orders[0]!.n)).toBeGreaterThan(0);
  });

  it('a declared end bounds the sessions traded', () => {
    expect(metrics('backtests/dow30_equal_weight_1998_2000').period).toMatchObject({
      start: '1998-01-02',
      end: '2000-12-29',
    });
  });

  it('buy-and-hold tracks its benchmark less its costs; the stops variant exits on stop-losses', async () => {
    const m = metrics('backtests/spx_buy_and_hold');
    expect(m.metrics.volatility).toBeCloseTo(m.benchmark.metrics.volatility, 3);
    expect(m.metrics.total_return).toBeLessThan(m.benchmark.metrics.total_return);
    const stops = await parquet<{ reason: string }>(
      `SELECT DISTINCT reason FROM ${sqlString(out('backtests/spx_sma_crossover_stops', 'fills.parquet'))} ORDER BY reason`,
    );
    expect(stops.map((r) => r.reason)).toEqual(['order', 'stop_loss']);
  });

  it('the out-of-sample reserve is not read: research targets end before it, and the final evaluation agrees with them in-sample', () => {
    const research = metrics('backtests/spx_sma_crossover');
    expect(research.period.end < '2019-01-01').toBe(true);
    expect(research.reserve).toEqual({ from: '2019-01-01', final_evaluation: false, read: false });
    const final = metrics('evaluation/spx_sma_crossover_final');
    expect(final.period.end > '2019-01-01').toBe(true);
    // The strategy's decisions before the reserve cannot depend on the reserve's bars.
    for (const k of ['sharpe', 'max_drawdown', 'cagr', 'total_return'] as const)
      expect(final.in_sample[k]).toBeCloseTo(research.metrics[k], 10);
    expect(final.out_of_sample.n_returns).toBe(final.period.sessions - research.period.sessions);
    // Only the final evaluation looked at the reserve, and the ledger says so. (The PPO policy's backtest
    // builds its experiment, whose own test period is a different family's holdout.)
    const ledger = readHoldoutLedger(join(cache, 'holdout.jsonl')).filter((e) => e.family !== 'core_v1_ppo');
    expect(ledger.map((e) => [e.family, e.target])).toEqual([
      ['spx_sma_crossover', '//evaluation/spx_sma_crossover_final'],
    ]);
    expect(ledger[0]!.observations).toBe(final.metrics.n_returns);
  });

  it('changing the reserved bars changes nothing a research backtest writes, the reserve given as a date or as a fraction', async () => {
    const store = join(cache, 'out', 'canonical', 'equity_ohlcv', 'equity_bars');
    const altered = mkdtempSync(join(tmpdir(), 'quanto-reserve-'));
    try {
      const { connection, close } = await openDuckDb(1);
      try {
        await connection.run(
          `COPY (SELECT * REPLACE (CASE WHEN date >= DATE '2019-01-01' THEN close * 3 ELSE close END AS close, CASE WHEN date >= DATE '2019-01-01' THEN open * 0.2 ELSE open END AS open)
                 FROM read_parquet(${sqlString(join(store, '**', '*.parquet'))}, hive_partitioning = true, hive_types = {'symbol': VARCHAR, 'year': INTEGER}))
           TO ${sqlString(altered)} (FORMAT PARQUET, PARTITION_BY (symbol, year), OVERWRITE_OR_IGNORE)`,
        );
      } finally {
        close();
      }
      const config = backtestConfigSchema.parse({
        from: '//canonical/equity_ohlcv',
        symbols: ['^GSPC'],
        reserve: { from: '2019-01-01' },
        strategy: { kind: 'sma_crossover', fast: 20, slow: 100 },
      });
      const strategy = await shippedStrategy('sma_crossover', { fast: 20, slow: 100 });
      const a = await runBacktest(config, { strategy, barsDir: store, regimeFeaturesDir: null });
      const b = await runBacktest(config, { strategy, barsDir: altered, regimeFeaturesDir: null });
      expect([...b.result.equity]).toEqual([...a.result.equity]);
      expect(b.metrics).toEqual(a.metrics);
      const finalConfig = { ...config, reserve: { from: '2019-01-01', final_evaluation: true } };
      const c = await runBacktest(finalConfig, { strategy, barsDir: altered, regimeFeaturesDir: null });
      expect(c.result.equity.length).toBeGreaterThan(a.result.equity.length); // the final evaluation does read it

      // A reserve given as a fraction: the last 20% of the period's sessions, counted from the calendar alone.
      const byFraction = backtestConfigSchema.parse({ ...config, reserve: { fraction: 0.2 } });
      const sessions = await loadSessionDates({ storeDir: store, symbols: ['^GSPC'], start: null, endExclusive: null });
      const reserved = Math.round(sessions.length * 0.2);
      const d = await runBacktest(byFraction, { strategy, barsDir: store, regimeFeaturesDir: null });
      expect(d.reserveFrom).toBe(sessions[sessions.length - reserved]);
      expect(d.data.dates).toEqual(sessions.slice(0, sessions.length - reserved));
      const e = await runBacktest(byFraction, { strategy, barsDir: altered, regimeFeaturesDir: null });
      expect([...e.result.equity]).toEqual([...d.result.equity]);
      const f = await runBacktest(
        backtestConfigSchema.parse({ ...config, reserve: { fraction: 0.2, final_evaluation: true } }),
        { strategy, barsDir: store, regimeFeaturesDir: null },
      );
      expect(f.split!.out_of_sample.n_returns).toBe(reserved);
      expect(f.split!.in_sample.sharpe).toBeCloseTo(d.metrics.sharpe, 10);
    } finally {
      rmSync(altered, { recursive: true, force: true });
    }
  });

  it('regime slices: each slice compounds the returns whose previous bar was in the regime', async () => {
    const slices = JSON.parse(
      readFileSync(out('backtests/spx_sma_crossover', 'evaluation/regime_slices.json'), 'utf8'),
    );
    expect(slices.slices.map((s: { name: string }) => s.name)).toEqual(['low_vol', 'high_vol', 'bull', 'bear']);
    const rows = await parquet<{ equity: number; vol_regime: number | null }>(
      `SELECT e.equity, f.vol_regime FROM ${sqlString(out('backtests/spx_sma_crossover', 'equity.parquet'))} e
       LEFT JOIN read_parquet(${sqlString(join(cache, 'out', 'features', 'core_v1_regime', 'features', '**', '*.parquet'))}, hive_partitioning = true, hive_types = {'symbol': VARCHAR, 'year': INTEGER}) f
         ON f.date = e.date AND f.symbol = '^GSPC'
       ORDER BY e.date`,
    );
    const values = [1];
    for (let t = 1; t < rows.length; t++)
      if (rows[t - 1]!.vol_regime === 2) values.push(values.at(-1)! * (rows[t]!.equity / rows[t - 1]!.equity));
    const high = slices.slices[1];
    expect(high.n_returns).toBe(values.length - 1);
    expect(high.metrics.sharpe).toBeCloseTo(performanceMetrics(values, 252).sharpe, 10);
    const bull = slices.slices[2].n_returns;
    const bear = slices.slices[3].n_returns;
    expect(bull + bear).toBeLessThan(rows.length); // the first 200 bars have no trend regime yet
    expect(bull).toBeGreaterThan(bear);
  });

  it('a rebuild from scratch gives the same bytes', async () => {
    const r = await cli('verify', '--jobs', '0', '//backtests/spx_sma_crossover_stops');
    expect(r.code, r.out + r.err).toBe(0);
  }, 120_000);
});

describe('backtest config errors', () => {
  it('a reserve is a date or a fraction, not both and not neither', () => {
    const base = { from: '//canonical/equity_ohlcv', strategy: { kind: 'buy_and_hold' } };
    for (const reserve of [{ from: '2019-01-01', fraction: 0.2 }, {}]) {
      const r = backtestConfigSchema.safeParse({ ...base, reserve });
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]!.message).toMatch(/give the reserve's start as one of from .* or fraction/);
    }
    expect(backtestConfigSchema.safeParse({ ...base, reserve: { fraction: 1 } }).success).toBe(false);
  });

  it('a bracket on the vectorized engine is a config error naming the field, exit 2', async () => {
    const ws = new TestWorkspace({
      'quanto.pipeline.yaml': 'version: 1\ntargets:\n  bt:\n    rule: backtest\n    config: bt.yaml\n',
      'bt.yaml': 'from: //x\nstrategy: {kind: buy_and_hold}\nbracket: {stop_loss: 0.1}\n',
      'rules/backtest.ts': `export { default } from ${JSON.stringify(join(REPO_ROOT, 'rules', 'backtest.ts'))};\n`,
    });
    try {
      const r = await ws.cli('build', '//bt');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/bt\.yaml/);
      expect(r.err).toMatch(/bracket.*event_driven/);
    } finally {
      ws.dispose();
    }
  });
});
