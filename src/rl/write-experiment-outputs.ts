import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { metricsJson } from '../reports/metrics-json.js';
import { openDuckDb } from '../data/store/duckdb.js';
import { writeRowsAsParquet } from '../data/store/partitioned-writer.js';
import { lineChart } from '../reports/svg-charts.js';
import type { ExperimentConfig } from './experiment-config.js';
import type { IterationStats } from './ppo.js';
import type { ExperimentRun } from './run-experiment.js';
import type { StepLog } from './trading-env.js';
import { regimeSlicesReport } from '../evaluation/regime-slices.js';

/** The files every experiment writes (the rule declares them); episode logs come on top when asked for. */
export const EXPERIMENT_OUTPUTS = [
  'model/weights.bin',
  'model/model.json',
  'training/curves.json',
  'training/curves.svg',
  'evaluation/metrics.json',
  'evaluation/comparison.json',
  'evaluation/equity.parquet',
  'evaluation/regime_slices.json',
  'manifest.json',
] as const;

export const MODEL_FORMAT = 'quanto-ppo-gaussian-mlp/1';

function write(outDir: string, name: string, text: string | Uint8Array): void {
  mkdirSync(dirname(join(outDir, name)), { recursive: true });
  writeFileSync(join(outDir, name), text);
}

const CURVES: [keyof IterationStats, string][] = [
  ['episode_reward', 'Episode reward (training episodes ending in the iteration)'],
  ['reward_per_step', 'Reward per step'],
  ['policy_loss', 'Policy loss (clipped surrogate)'],
  ['value_loss', 'Value loss'],
  ['entropy', 'Entropy'],
  ['approx_kl', 'Approximate KL divergence'],
  ['clip_fraction', 'Clip fraction'],
  ['explained_variance', 'Explained variance of the value function'],
];

/** The training curves as one SVG: a panel per quantity, by iteration. */
export function trainingCurvesSvg(curves: readonly IterationStats[]): string {
  const height = 170;
  const labels = curves.map((s) => `iteration ${s.iteration}`);
  const panels = CURVES.map(([key, title], i) => {
    const values = curves.map((s) => (s[key] === null ? Number.NaN : Number(s[key])));
    return lineChart({
      id: key,
      title,
      dates: labels,
      series: [{ name: title, values, color: '#1f5fbf' }],
      height,
      width: 720,
    }).replace('<svg ', `<svg y="${i * height}" `);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="720" height="${CURVES.length * height}" viewBox="0 0 720 ${CURVES.length * height}">${panels.join('')}</svg>\n`;
}

const jsonl = (log: readonly StepLog[]) => log.map((s) => JSON.stringify(s)).join('\n') + (log.length > 0 ? '\n' : '');

/** Writes the model, the curves, the evaluation and the run manifest of an experiment. */
export async function writeExperimentOutputs(
  run: ExperimentRun,
  c: ExperimentConfig,
  outDir: string,
  context: { label: string; seed: number; inputs: Record<string, string> },
): Promise<void> {
  const { policy } = run;
  const weights = policy.policy.serialize();
  const symbols = [...run.test.market.symbols];
  write(outDir, 'model/weights.bin', weights.bytes);
  write(
    outDir,
    'model/model.json',
    metricsJson({
      format: MODEL_FORMAT,
      backend: run.backend,
      weights: { file: 'weights.bin', dtype: 'float32', byte_order: 'little-endian', variables: weights.manifest },
      net_arch: c.ppo.net_arch,
      activation: 'tanh',
      observation: {
        size: policy.policy.observationSize,
        layout: [
          'cash',
          ...symbols.map((s) => `close:${s}`),
          ...symbols.map((s) => `holdings:${s}`),
          ...c.features.columns.flatMap((f) => symbols.map((s) => `${f}:${s}`)),
        ],
        normalization: policy.observationStats?.toJSON() ?? null,
      },
      action: {
        size: policy.policy.actionSize,
        symbols,
        low: -1,
        high: 1,
        hmax: c.env.hmax,
        distribution: 'diagonal Gaussian, state-independent log std; the mean is the deterministic action',
      },
    }),
  );
  write(outDir, 'training/curves.json', metricsJson(run.curves));
  write(outDir, 'training/curves.svg', trainingCurvesSvg(run.curves));

  const window = (m: { dates: readonly string[] }) => ({
    start: m.dates[0]!,
    end: m.dates.at(-1)!,
    sessions: m.dates.length,
  });
  write(
    outDir,
    'evaluation/metrics.json',
    metricsJson({
      window: window(run.test.market),
      metrics: run.test.metrics,
      in_sample: { window: window(run.train.market), metrics: run.train.metrics },
    }),
  );
  const row = (name: string, m: ExperimentRun['test']['metrics']) => ({
    name,
    total_return: m.total_return,
    cagr: m.cagr,
    sharpe: m.sharpe,
    sortino: m.sortino,
    max_drawdown: m.max_drawdown,
    calmar: m.calmar,
    dsr: m.dsr,
    turnover_annual: m.turnover_annual,
  });
  const baselineName = (b: ExperimentRun['baselines'][number]['strategy']) =>
    Object.entries(b)
      .map(([k, v]) => (k === 'kind' ? v : `${k}=${v}`))
      .join(' ');
  write(
    outDir,
    'evaluation/comparison.json',
    metricsJson({
      window: window(run.test.market),
      note: 'the policy and each baseline over the same test sessions, the same cost model and the same initial cash',
      rows: [
        row('ppo policy', run.test.metrics),
        ...run.baselines.map((b) => row(baselineName(b.strategy), b.metrics)),
      ],
      policy_beats: Object.fromEntries(
        run.baselines.map((b) => [
          baselineName(b.strategy),
          {
            sharpe: run.test.metrics.sharpe > b.metrics.sharpe,
            total_return: run.test.metrics.total_return > b.metrics.total_return,
          },
        ]),
      ),
    }),
  );
  write(outDir, 'evaluation/regime_slices.json', metricsJson(regimeSlicesReport(c.regimes, run.regimes)));
  const { connection, close } = await openDuckDb(1);
  try {
    const lines = run.test.market.dates.map((d, t) => `${d},${run.test.values[t]}`);
    await writeRowsAsParquet(
      connection,
      {
        columns: [
          ['date', 'DATE'],
          ['equity', 'DOUBLE'],
        ],
        lines,
      },
      join(outDir, 'evaluation', 'equity.parquet'),
      'date',
    );
  } finally {
    close();
  }
  if (c.log_episodes) {
    write(outDir, 'episodes/train.jsonl', jsonl(run.train.log));
    write(outDir, 'episodes/test.jsonl', jsonl(run.test.log));
  }
  write(
    outDir,
    'manifest.json',
    metricsJson({
      experiment: context.label,
      seed: context.seed,
      backend: run.backend,
      inputs: context.inputs,
      config: c,
      timesteps: run.curves.at(-1)?.timesteps ?? 0,
      iterations: run.curves.length,
    }),
  );
}
