/**
 * npm run bench:backtest
 *
 * 1. A sweep of 1,000 SMA-crossover parameter pairs over the 5,105 real S&P 500 bars in
 *    data/sample (costs included: fees, fixed and volume-share slippage), beside the same sweep
 *    in numpy (bench/backtest_numpy.py, Debian's python3-numpy) in the same run; both compute
 *    every run's final equity, which must agree.
 *    The same 1,000 pairs through the plugin API (the shipped strategies/sma_crossover.ts, loaded
 *    and checked as a backtest target loads it, on the vectorized engine, one run per pair).
 * 2. The event-driven engine on 100 symbols x 10 years (synthetic bars, seeded): an SMA
 *    crossover per symbol with a stop-loss on every entry; bar-events per second, beside a
 *    bare loop that only reads every bar-event's prices (the ceiling), and the same strategy
 *    written as a plugin (defineStrategy, reading bars through its StrategyContext), so the
 *    plugin boundary's cost is visible.
 * Prints medians of BENCH_RUNS runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { accountSchema } from '../src/backtest/account-config.js';
import { backtestEvents, type EventStrategy } from '../src/backtest/event-driven.js';
import { eventStrategyOf } from '../src/backtest/strategy-events.js';
import { backtestTargetWeights } from '../src/backtest/target-weights.js';
import { defineStrategy } from '../src/strategy/define-strategy.js';
import { loadStrategy } from '../src/strategy/loaded-strategy.js';
import { vectorizedWeights } from '../src/strategy/vectorized-weights.js';
import smaCrossover from '../strategies/sma_crossover.js';
import type { MarketData } from '../src/backtest/market-data.js';
import { smaCrossoverSweepWeights, sweepSingleAsset } from '../src/backtest/sweep.js';
import { costModelSchema } from '../src/costs/cost-model.js';
import { parseIsoDate } from '../src/data/calendar/civil-date.js';
import { nyseSessions } from '../src/data/calendar/nyse.js';
import { quantoPackageRoot } from '../src/engine/package-root.js';
import { available, median } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const cost = { per_share: 0, bps: 1, min_per_order: 0, fixed_bps: 2, price_impact: 0.1, participation_cap: 0.01 };
const model = costModelSchema.parse({
  fees: { bps: cost.bps, per_share: cost.per_share, min_per_order: cost.min_per_order },
  slippage: {
    fixed_bps: cost.fixed_bps,
    volume_share: { price_impact: cost.price_impact, participation_cap: cost.participation_cap },
  },
  execution: { delay_bars: 1, price: 'open' },
});

function spxBars() {
  const lines = readFileSync(join(quantoPackageRoot(), 'data', 'sample', 'spx_daily_ohlcv_2000_2020.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  const rows = lines.map((l) => l.split(','));
  return {
    open: Float64Array.from(rows, (r) => +r[2]!),
    close: Float64Array.from(rows, (r) => +r[5]!),
    volume: Float64Array.from(rows, (r) => +r[6]!),
  };
}

/** The sweep's pairs through the plugin API: the shipped strategy loaded per pair, its weights checked, the vectorized engine. */
function pluginSweepSeconds(bars: ReturnType<typeof spxBars>, pairs: readonly [number, number][]): number {
  const T = bars.close.length;
  const data: MarketData = {
    dates: Array.from({ length: T }, (_, t) => `d${t}`),
    symbols: ['^GSPC'],
    open: [bars.open],
    close: [bars.close],
    volume: [bars.volume],
  };
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (const [fast, slow] of pairs) {
      const strategy = loadStrategy(smaCrossover, 'sma_crossover', 'strategies/sma_crossover.ts', { fast, slow });
      backtestTargetWeights(data, vectorizedWeights(strategy, data, 1), model, 1e6);
    }
    times.push(performance.now() - t0);
  }
  return median(times) / 1000;
}

function sweepBench(): void {
  const bars = spxBars();
  const pairs: [number, number][] = [];
  for (let fast = 2; fast <= 51; fast++) for (let j = 1; j <= 20; j++) pairs.push([fast, fast + 10 * j]);
  const weight = smaCrossoverSweepWeights(bars.close, pairs);
  let runs = sweepSingleAsset(bars, pairs.length, weight, model, 1e6, 252);
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    runs = sweepSingleAsset(bars, pairs.length, smaCrossoverSweepWeights(bars.close, pairs), model, 1e6, 252);
    times.push(performance.now() - t0);
  }
  const ours = median(times) / 1000;
  console.log(`sweep: ${pairs.length} SMA pairs x ${bars.close.length} S&P 500 bars, costs included`);
  console.log(
    `  quanto  ${ours.toFixed(3)} s  (${((pairs.length * bars.close.length) / ours / 1e6).toFixed(1)} M bar-steps/s)`,
  );
  const plugin = pluginSweepSeconds(bars, pairs);
  console.log(
    `  plugin  ${plugin.toFixed(3)} s  (strategies/sma_crossover.ts per pair on the vectorized engine; ${(plugin / ours).toFixed(1)}x the sweep engine)`,
  );
  // Debian's python3-numpy, as the issue asks; another python3 with numpy only where it is absent.
  const python = ['/usr/bin/python3', 'python3'].find(
    (p) => (p.startsWith('/') || available(p)) && spawnSync(p, ['-c', 'import numpy']).status === 0,
  );
  if (!python) {
    console.log('  numpy   not measured: python3 with numpy is not installed (Debian: apt-get install python3-numpy)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'quanto-bench-backtest-'));
  try {
    const spec = join(dir, 'spec.json');
    writeFileSync(
      spec,
      JSON.stringify({
        open: [...bars.open],
        close: [...bars.close],
        volume: [...bars.volume],
        pairs,
        cost,
        cash: 1e6,
        delay: 1,
        runs: RUNS,
      }),
    );
    const r = spawnSync(python, [join(quantoPackageRoot(), 'bench', 'backtest_numpy.py'), spec], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0) throw new Error(`numpy sweep failed: ${r.stderr}`);
    const np = JSON.parse(r.stdout) as { median_s: number; final: number[]; fills: number[]; numpy: string };
    let worst = 0;
    runs.forEach(
      (run, k) => (worst = Math.max(worst, Math.abs(run.finalEquity - np.final[k]!) / Math.abs(np.final[k]!))),
    );
    const fillsAgree = runs.every((run, k) => run.fills === np.fills[k]);
    console.log(
      `  numpy   ${np.median_s.toFixed(3)} s  (numpy ${np.numpy}, vectorized across pairs, stepped through time)`,
    );
    console.log(
      `  numpy / quanto time: ${(np.median_s / ours).toFixed(2)}x; final equities agree to ${worst.toExponential(1)} relative; fill counts ${fillsAgree ? 'identical' : 'DIFFER'}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function syntheticMarket(symbols: number): MarketData {
  const dates = nyseSessions(parseIsoDate('2010-01-04'), parseIsoDate('2019-12-31'));
  let seed = 11;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const T = dates.length;
  const make = () => Array.from({ length: symbols }, () => new Float64Array(T));
  const open = make();
  const close = make();
  const high = make();
  const low = make();
  const volume = make();
  for (let s = 0; s < symbols; s++) {
    let p = 20 + 100 * rand();
    for (let t = 0; t < T; t++) {
      open[s]![t] = p;
      p = Math.max(1, p * (1 + (rand() - 0.5) * 0.04));
      close[s]![t] = p;
      high[s]![t] = Math.max(open[s]![t]!, p) * (1 + rand() * 0.01);
      low[s]![t] = Math.min(open[s]![t]!, p) * (1 - rand() * 0.01);
      volume[s]![t] = 1e5 + rand() * 1e6;
    }
  }
  return { dates, symbols: Array.from({ length: symbols }, (_, s) => `S${s}`), open, close, high, low, volume };
}

/** Per symbol: long 1/S while the 20-bar mean is above the 100-bar mean, entered with a 5% stop; orders only on changes. */
function smaWithStops(S: number): EventStrategy {
  const sumFast = new Float64Array(S);
  const sumSlow = new Float64Array(S);
  const state = new Int8Array(S);
  return {
    onBar(bar, orders) {
      for (let s = 0; s < S; s++) {
        const c = bar.close(s);
        sumFast[s]! += c;
        sumSlow[s]! += c;
        if (bar.t >= 20) sumFast[s]! -= bar.close(s, 20);
        if (bar.t >= 100) sumSlow[s]! -= bar.close(s, 100);
        if (bar.t < 99) continue;
        const long = sumFast[s]! / 20 > sumSlow[s]! / 100 ? 1 : 0;
        if (long !== state[s]) orders.targetWeight(s, long / S, { stop_loss: 0.05 });
        state[s] = long;
      }
    },
  };
}

/** smaWithStops as a user writes it: a plugin strategy on the StrategyContext, symbols by index. */
const smaWithStopsPlugin = defineStrategy({
  name: 'sma_with_stops',
  version: 1,
  config: z.object({}).strict(),
  start: (_c, symbols) => {
    const S = symbols.length;
    const sumFast = new Float64Array(S);
    const sumSlow = new Float64Array(S);
    const state = new Int8Array(S);
    return {
      onBar(ctx) {
        for (let s = 0; s < S; s++) {
          const c = ctx.close(s);
          sumFast[s]! += c;
          sumSlow[s]! += c;
          if (ctx.t >= 20) sumFast[s]! -= ctx.close(s, 20);
          if (ctx.t >= 100) sumSlow[s]! -= ctx.close(s, 100);
          if (ctx.t < 99) continue;
          const long = sumFast[s]! / 20 > sumSlow[s]! / 100 ? 1 : 0;
          if (long !== state[s]) ctx.targetWeight(s, long / S, { stop_loss: 0.05 });
          state[s] = long;
        }
      },
    };
  },
});

function eventBench(): void {
  const S = 100;
  const data = syntheticMarket(S);
  const events = S * data.dates.length;
  const account = accountSchema.parse({ initial_cash: 1e7, unfilled: 'carry' });
  let fills = 0;
  const times: number[] = [];
  for (let r = 0; r < RUNS + 1; r++) {
    const t0 = performance.now();
    const result = backtestEvents(data, smaWithStops(S), model, account);
    if (r > 0) times.push(performance.now() - t0); // the first run warms the JIT
    fills = result.trades.length;
  }
  const pluginTimes: number[] = [];
  let pluginFills = 0;
  const plugin = loadStrategy(smaWithStopsPlugin, 'sma_with_stops', 'strategies/sma_with_stops.ts', {});
  for (let r = 0; r < RUNS + 1; r++) {
    const t0 = performance.now();
    const result = backtestEvents(data, eventStrategyOf(plugin, data, account.max_leverage), model, account);
    if (r > 0) pluginTimes.push(performance.now() - t0);
    pluginFills = result.trades.length;
  }
  if (pluginFills !== fills)
    throw new Error(`the plugin strategy made ${pluginFills} fills, the built-in one ${fills}`);
  const ceilingTimes: number[] = [];
  let sink = 0;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let t = 0; t < data.dates.length; t++)
      for (let s = 0; s < S; s++) sink += data.open[s]![t]! + data.close[s]![t]! + data.volume[s]![t]!;
    ceilingTimes.push(performance.now() - t0);
  }
  const ours = median(times) / 1000;
  const ceiling = median(ceilingTimes) / 1000;
  console.log(
    `event-driven: ${S} symbols x ${data.dates.length} sessions (${(events / 1e3).toFixed(0)} k bar-events, synthetic), SMA crossover with 5% stops, ${fills} fills`,
  );
  console.log(`  quanto  ${ours.toFixed(3)} s  ${(events / ours / 1e6).toFixed(2)} M bar-events/s`);
  const viaPlugin = median(pluginTimes) / 1000;
  console.log(
    `  plugin  ${viaPlugin.toFixed(3)} s  ${(events / viaPlugin / 1e6).toFixed(2)} M bar-events/s (the same strategy through defineStrategy and its context; ${(viaPlugin / ours).toFixed(2)}x the built-in's time, same ${pluginFills} fills)`,
  );
  console.log(
    `  ceiling ${ceiling.toFixed(4)} s  ${(events / ceiling / 1e6).toFixed(0)} M bar-events/s (a bare loop reading every bar; checksum ${sink.toExponential(3)})`,
  );
}

sweepBench();
eventBench();
// One process runs every figure above: its peak resident memory bounds each one's.
console.log(`peak memory of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
