import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDuckDb, queryRows, sqlString } from '../data/store/duckdb.js';
import { standardMetricRows } from './metric-rows.js';
import { renderTearsheet } from './tearsheet.js';

async function equityOf(file: string): Promise<{ date: string; equity: number }[]> {
  const { connection, close } = await openDuckDb(1);
  try {
    return await queryRows(
      connection,
      `SELECT strftime(date, '%Y-%m-%d') AS date, equity FROM read_parquet(${sqlString(file)}) ORDER BY date`,
    );
  } finally {
    close();
  }
}

/**
 * The tearsheet of an RL experiment's test window against its declared baseline (a backtest
 * over the same sessions): equity against the baseline, drawdown, rolling Sharpe, monthly
 * returns, and exposure from the test episode's log (the policy holds no shorts, so gross and
 * net exposure are the share of value in positions). Reads only the experiment's and the
 * baseline's outputs.
 */
export async function experimentTearsheet(o: {
  title: string;
  experimentDir: string;
  baselineDir: string;
  baselineName: string;
  periodsPerYear: number;
  rollingWindow: number;
}): Promise<string> {
  const equity = await equityOf(join(o.experimentDir, 'evaluation', 'equity.parquet'));
  const baseline = new Map((await equityOf(join(o.baselineDir, 'equity.parquet'))).map((r) => [r.date, r.equity]));
  const metrics = JSON.parse(readFileSync(join(o.experimentDir, 'evaluation', 'metrics.json'), 'utf8')) as {
    window: { start: string; end: string; sessions: number };
    metrics: object;
  };
  const baselineMetrics = (JSON.parse(readFileSync(join(o.baselineDir, 'metrics.json'), 'utf8')) as { metrics: object })
    .metrics;
  const manifest = JSON.parse(readFileSync(join(o.experimentDir, 'manifest.json'), 'utf8')) as {
    seed: number;
    backend: string;
    timesteps: number;
    config: { trials?: { count?: number } };
  };
  const exposure = new Float64Array(equity.length).fill(Number.NaN);
  const log = join(o.experimentDir, 'episodes', 'test.jsonl');
  if (existsSync(log)) {
    const at = new Map(equity.map((r, t) => [r.date, t]));
    for (const line of readFileSync(log, 'utf8').split('\n')) {
      if (!line) continue;
      const step = JSON.parse(line) as { executed: string; cash: number; value: number };
      const t = at.get(step.executed);
      if (t !== undefined) exposure[t] = (step.value - step.cash) / step.value;
    }
  }
  const dates = equity.map((r) => r.date);
  return renderTearsheet({
    title: o.title,
    dates,
    equity: equity.map((r) => r.equity),
    benchmark: { name: o.baselineName, values: dates.map((d) => baseline.get(d) ?? Number.NaN) },
    grossExposure: exposure,
    netExposure: exposure,
    metrics: standardMetricRows(metrics.metrics, baselineMetrics, manifest.config.trials?.count ?? 1),
    notes: [
      `Test window ${metrics.window.start} to ${metrics.window.end}, ${metrics.window.sessions} sessions, out of sample; the policy acts deterministically (the Gaussian's mean).`,
      `PPO, ${manifest.timesteps} training steps, seed ${manifest.seed}, TensorFlow.js ${manifest.backend} backend. Baseline: ${o.baselineName}, same sessions, costs and cash.`,
    ],
    periodsPerYear: o.periodsPerYear,
    rollingWindow: o.rollingWindow,
  });
}
