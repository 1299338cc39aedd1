import { join } from 'node:path';
import { detectTfBackend } from '../src/rl/tf-backend-name.js';
import { z } from 'zod';
import { backtestConfigShape, checkBacktestConfig } from '../src/backtest/backtest-config.js';
import { riskConfigSchema } from '../src/execution/risk-config.js';
import { backtestOnTradingPath } from '../src/execution/trading-path-backtest.js';
import { runBacktest } from '../src/backtest/run-backtest.js';
import { BACKTEST_OUTPUTS, writeBacktestOutputs } from '../src/backtest/write-backtest-outputs.js';
import { BACKTESTED_STRATEGY_OUTPUT, backtestedStrategy } from '../src/backtest/backtested-strategy.js';
import { metricsJson } from '../src/reports/metrics-json.js';
import { writeOutput } from './_outputs.js';
import { regimeColumns } from '../src/evaluation/regime-slices.js';
import { trialRecord } from '../src/evaluation/trial-record.js';
import { defineRule } from '../src/engine/rule-api.js';
import { inputDir } from './_inputs.js';
import { strategyDigestOf, strategyOf, strategyUse } from './_strategies.js';
import { strategyDataLabels } from '../src/strategy/strategy-ref.js';

/**
 * A backtest of a configured strategy on canonical bars, through the shared cost model, on the
 * vectorized or the event-driven engine or the trading path (the risk engine, router and
 * simulated exchange of paper sessions): equity, positions, orders, fills, round trips and
 * exposure as Parquet, metrics.json, regime slices and a tearsheet. The out-of-sample reserve
 * in the config is never read unless the config says this is the final evaluation.
 */
export default defineRule({
  name: 'backtest',
  version: 1,
  description: 'a strategy backtest with costs, metrics, regime slices and a tearsheet',
  config: z
    .object({
      ...backtestConfigShape,
      /** engine: trading_path only: the pre-trade risk limits, as a paper session's (the same defaults). */
      risk: riskConfigSchema.optional(),
    })
    .strict()
    .superRefine((c, ctx) => {
      checkBacktestConfig(c, ctx);
      if (c.risk && c.engine !== 'trading_path')
        ctx.addIssue({
          code: 'custom',
          path: ['risk'],
          message: 'risk limits apply on the trading path: set engine: trading_path, or remove risk',
        });
    }),
  inputs: (c) => [c.from, c.regimes?.from, ...strategyDataLabels(c.strategy)],
  plugins: (c) => [strategyUse(c.strategy, ['strategy'])],
  // A strategy may run a TensorFlow.js model (ppo_policy does), whose last bits depend on the backend.
  keyFacts: () => ({ tfjs_backend: detectTfBackend() }),
  outputs: [...BACKTEST_OUTPUTS, BACKTESTED_STRATEGY_OUTPUT],
  consumes: (c) => (c.regimes ? [{ from: c.regimes.from, columns: regimeColumns(c.regimes), as: 'feature' }] : []),
  async run(ctx) {
    const c = ctx.config;
    const strategy = await strategyOf(ctx, c.strategy);
    const risk = c.risk ?? riskConfigSchema.parse({});
    const run = await runBacktest(c, {
      strategy,
      tradingPath: async (history, windowStart) =>
        (
          await backtestOnTradingPath({
            history,
            windowStart,
            strategy,
            costs: c.costs,
            initialCash: c.account.initial_cash,
            maxLeverage: risk.max_gross_leverage,
            ...(c.sizing ? { sizing: c.sizing } : {}),
            ...(c.bracket ? { exits: c.bracket } : {}),
            risk,
            runId: ctx.label,
          })
        ).result,
      barsDir: join(inputDir(ctx, c.from), 'equity_bars'),
      regimeFeaturesDir: c.regimes ? join(inputDir(ctx, c.regimes.from), 'features') : null,
    });
    const rows = await writeBacktestOutputs(
      run,
      c,
      ctx.outDir,
      `${ctx.label}: ${c.strategy.kind.replaceAll('_', ' ')}`,
    );
    // What was traded, code included: the file a promotion of these outputs covers.
    writeOutput(
      ctx.outDir,
      BACKTESTED_STRATEGY_OUTPUT,
      metricsJson(
        backtestedStrategy({
          strategy: c.strategy,
          file: strategy.file,
          version: strategy.definition.version,
          vectorized: typeof strategy.definition.weights === 'function',
          sourceDigest: strategyDigestOf(ctx, c.strategy),
          from: c.from,
          symbols: run.data.symbols,
          adjust: c.adjust,
          costs: c.costs,
          initialCash: c.account.initial_cash,
          sizing: c.sizing,
          exits: c.bracket,
        }),
      ),
    );
    const m = run.metrics;
    ctx.log.info(
      `${run.data.dates.length} sessions, ${run.data.symbols.length} symbols: Sharpe ${m.sharpe.toFixed(3)}, CAGR ${(m.cagr * 100).toFixed(2)}%, max drawdown ${(m.max_drawdown * 100).toFixed(2)}%, ${run.result.trades.length} fills`,
    );
    // A final evaluation looked at the reserve: the engine records it in the holdout ledger.
    const holdout = c.reserve?.final_evaluation
      ? {
          holdout: {
            family: c.reserve.family ?? ctx.matrix?.target ?? ctx.label,
            record: trialRecord(run.result.equity),
          },
        }
      : {};
    return { rows: Object.fromEntries(Object.entries(rows).map(([k, v]) => [`${k}.parquet`, v])), ...holdout };
  },
});
