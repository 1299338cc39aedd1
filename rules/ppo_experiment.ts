import { strategyDataLabels } from '../src/strategy/strategy-ref.js';
import { join } from 'node:path';
import { defineRule } from '../src/engine/rule-api.js';
import { experimentConfigSchema } from '../src/rl/experiment-config.js';
import { runExperiment } from '../src/rl/run-experiment.js';
import { detectTfBackend } from '../src/rl/tf-backend-name.js';
import { EXPERIMENT_OUTPUTS, writeExperimentOutputs } from '../src/rl/write-experiment-outputs.js';
import { regimeColumns } from '../src/evaluation/regime-slices.js';
import { trialRecord } from '../src/evaluation/trial-record.js';
import { inputDir } from './_inputs.js';
import { strategyOf, strategyUse } from './_strategies.js';

/**
 * An RL experiment: PPO trained on the FinRL-style trading environment over the training
 * window, evaluated on the test window beside baseline strategies. All randomness comes from
 * the config's `seed`, not from the seed the engine derives from the key: the key also holds
 * the lockfile and every source file the rule imports, and a dependency bump or a refactor
 * that changes no arithmetic must train the same policy (and cut the rebuild off there), as
 * an ML engineer expects of "seed: 1". The TensorFlow.js backend is a key fact, since backends
 * differ in the last bits.
 */
export default defineRule({
  name: 'ppo_experiment',
  version: 1,
  description: 'a PPO policy trained and evaluated on the trading environment',
  config: experimentConfigSchema,
  inputs: (c) => [c.from, c.features.from, c.regimes?.from, ...c.baselines.flatMap((b) => strategyDataLabels(b))],
  plugins: (c) => c.baselines.map((b, i) => strategyUse(b, ['baselines', i])),
  outputs: EXPERIMENT_OUTPUTS,
  keyFacts: () => ({ tfjs_backend: detectTfBackend() }),
  consumes: (c) => [
    { from: c.features.from, columns: c.features.columns, as: 'feature' },
    ...(c.regimes ? [{ from: c.regimes.from, columns: regimeColumns(c.regimes), as: 'feature' }] : []),
  ],
  async run(ctx) {
    const c = ctx.config;
    const run = await runExperiment(
      c,
      {
        barsDir: join(inputDir(ctx, c.from), 'equity_bars'),
        featuresDir: join(inputDir(ctx, c.features.from), 'features'),
        regimeFeaturesDir: c.regimes ? join(inputDir(ctx, c.regimes.from), 'features') : null,
        baselines: await Promise.all(c.baselines.map((b) => strategyOf(ctx, b))),
      },
      c.seed,
      (s) => {
        ctx.progress(s.timesteps, c.ppo.total_timesteps, 'steps');
        ctx.log.info(
          `iteration ${s.iteration}: ${s.timesteps} steps, reward/step ${s.reward_per_step.toFixed(4)}, value loss ${s.value_loss.toFixed(4)}, KL ${s.approx_kl.toFixed(4)}`,
        );
      },
    );
    const inputs = Object.fromEntries(
      Object.keys(ctx.inputs)
        .sort()
        .map((label) => [label, ctx.inputs[label]!.outputsDigest]),
    );
    await writeExperimentOutputs(run, c, ctx.outDir, { label: ctx.label, seed: c.seed, inputs });
    const m = run.test.metrics;
    ctx.log.info(
      `test ${run.test.market.dates[0]} to ${run.test.market.dates.at(-1)}: Sharpe ${m.sharpe.toFixed(3)}, total return ${(m.total_return * 100).toFixed(2)}% (${run.backend} backend)`,
    );
    // The test window is this experiment's out-of-sample reserve: every evaluation on it is a trial.
    return {
      rows: { 'evaluation/equity.parquet': run.test.values.length },
      holdout: { family: c.family ?? ctx.matrix?.target ?? ctx.label, record: trialRecord(run.test.values) },
    };
  },
});
