import { sharpeMoments, simpleReturns } from './performance-metrics.js';

/**
 * What the holdout ledger keeps of one trial: its per-period Sharpe ratio and the number of
 * returns, enough to estimate the variance of Sharpe ratios across a family's trials, which
 * the deflated Sharpe ratio needs.
 */
export function trialRecord(equity: ArrayLike<number>): { sharpe_per_period: number | null; observations: number } {
  const m = sharpeMoments(simpleReturns(Array.from(equity)));
  return { sharpe_per_period: Number.isFinite(m.sharpe) ? m.sharpe : null, observations: m.observations };
}
