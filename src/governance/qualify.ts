import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDuckDb, queryRows, sqlString } from '../data/store/duckdb.js';
import { deflatedSharpeOf, expectedMaxSharpe } from '../evaluation/deflated-sharpe.js';
import { sharpeMoments, simpleReturns } from '../evaluation/performance-metrics.js';
import { evaluateGates, type GateInputs } from './evaluate-gates.js';
import type { GateConfig } from './gate-config.js';

/** One trial of the candidate's family from the holdout ledger. */
export interface Trial {
  target: string;
  key: string;
  sharpe_per_period: number | null;
}

/** Where a backtest or an experiment keeps what the gates read (an experiment's files are under evaluation/). */
const LAYOUT = {
  metrics: ['evaluation/metrics.json', 'metrics.json'],
  equity: ['evaluation/equity.parquet', 'equity.parquet'],
  regimes: ['evaluation/regime_slices.json'],
};

interface Artifact {
  target: string;
  file: string;
  sha256: string;
}

function sampleVariance(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
}

/** Reads a target's artifacts for the gates, recording the digest of every file it reads. */
async function loadSide(
  label: string,
  dir: string,
  read: Artifact[],
): Promise<{
  label: string;
  metrics: Record<string, unknown> | null;
  regimes: Record<string, Record<string, unknown> | null>;
  equity: number[] | null;
}> {
  const open = (candidates: string[]) => {
    const file = candidates.find((f) => existsSync(join(dir, f)));
    if (!file) return null;
    const bytes = readFileSync(join(dir, file));
    read.push({ target: label, file, sha256: createHash('sha256').update(bytes).digest('hex') });
    return { file, bytes };
  };
  const metricsFile = open(LAYOUT.metrics);
  const metrics = metricsFile
    ? ((JSON.parse(metricsFile.bytes.toString('utf8')) as { metrics?: Record<string, unknown> }).metrics ?? null)
    : null;
  const regimesFile = open(LAYOUT.regimes);
  const regimes: Record<string, Record<string, unknown> | null> = {};
  if (regimesFile)
    for (const s of (
      JSON.parse(regimesFile.bytes.toString('utf8')) as {
        slices: { name: string; metrics: Record<string, unknown> | null }[];
      }
    ).slices)
      regimes[s.name] = s.metrics;
  const equityFile = open(LAYOUT.equity);
  let equity: number[] | null = null;
  if (equityFile) {
    const { connection, close } = await openDuckDb(1);
    try {
      equity = (
        await queryRows<{ equity: number }>(
          connection,
          `SELECT equity FROM read_parquet(${sqlString(join(dir, equityFile.file))}) ORDER BY date`,
        )
      ).map((r) => r.equity);
    } finally {
      close();
    }
  }
  return { label, metrics, regimes, equity };
}

export interface QualificationReport {
  candidate: string;
  baseline: string;
  passed: boolean;
  hard: ReturnType<typeof evaluateGates>['hard'];
  soft: ReturnType<typeof evaluateGates>['soft'];
  trials: { family: string; count: number; sharpe_variance: number; expected_max_sharpe: number; targets: string[] };
  artifacts: Artifact[];
}

/**
 * Qualifies a candidate against its declared baseline: loads their metrics, regime slices and
 * equity curves, deflates the candidate's Sharpe ratio by the trials of its family in the
 * holdout ledger (count and the variance of their Sharpe ratios), and evaluates the gates.
 * A missing directory (the dep did not build) or file is a failed gate, never a skip.
 */
export async function qualify(
  c: GateConfig,
  dirs: { candidate: string | null; baseline: string | null },
  ledgerTrials: readonly Trial[],
): Promise<QualificationReport> {
  // The ledger is in the order builds finished, which parallel builds do not fix: the report
  // (its list and the float sums of the variance) must not depend on it.
  const trials = [...ledgerTrials].sort((a, b) =>
    a.target === b.target ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.target < b.target ? -1 : 1,
  );
  const artifacts: Artifact[] = [];
  const candidate = dirs.candidate
    ? await loadSide(c.from.candidate, dirs.candidate, artifacts)
    : { label: c.from.candidate, metrics: null, regimes: {}, equity: null };
  const baseline = dirs.baseline ? await loadSide(c.from.baseline, dirs.baseline, artifacts) : null;
  const count = Math.max(1, trials.length);
  const sharpes = trials.map((t) => t.sharpe_per_period).filter((x): x is number => x !== null);
  const variance = count > 1 ? sampleVariance(sharpes) : 0;
  let dsr: number | null = null;
  if (candidate.equity && candidate.equity.length >= 3)
    dsr = deflatedSharpeOf(sharpeMoments(simpleReturns(candidate.equity)), count, variance);
  const inputs: GateInputs = {
    candidate: { label: candidate.label, metrics: candidate.metrics, regimes: candidate.regimes, deflatedSharpe: dsr },
    baseline,
  };
  const { passed, hard, soft } = evaluateGates(c, inputs);
  return {
    candidate: c.from.candidate,
    baseline: c.from.baseline,
    passed,
    hard,
    soft,
    trials: {
      family: c.family,
      count,
      sharpe_variance: variance,
      expected_max_sharpe: expectedMaxSharpe(count, variance),
      targets: trials.map((t) => t.target),
    },
    artifacts,
  };
}
