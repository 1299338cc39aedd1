import { normalQuantile } from '../math/normal.js';
import { probabilisticSharpeOf, sharpeMoments, type SharpeMoments } from './performance-metrics.js';

const EULER_MASCHERONI = 0.5772156649015329;

/**
 * The Sharpe ratio the best of `trials` independent strategies would reach by luck alone when
 * their true Sharpe is 0 (Bailey and Lopez de Prado, 2014): sqrt(V) ((1 - g) Z⁻¹(1 - 1/N) +
 * g Z⁻¹(1 - 1/(N e))), g the Euler-Mascheroni constant, V the variance of the trials' Sharpe
 * ratios; all per period.
 */
export function expectedMaxSharpe(trials: number, sharpeVariance: number): number {
  if (!Number.isInteger(trials) || trials < 1)
    throw new Error(`the number of trials must be a whole number >= 1, got ${trials}`);
  if (trials === 1) return 0;
  const g = EULER_MASCHERONI;
  return (
    Math.sqrt(sharpeVariance) *
    ((1 - g) * normalQuantile(1 - 1 / trials) + g * normalQuantile(1 - 1 / (trials * Math.E)))
  );
}

/**
 * The deflated Sharpe ratio: the probabilistic Sharpe ratio (raw kurtosis) of `returns` against
 * the Sharpe ratio expected of the best of the experiment's recorded trials. The more
 * configurations were tried, the higher the bar; one trial reduces it to PSR against 0.
 */
export function deflatedSharpeOf(m: SharpeMoments, trials: number, sharpeVariance: number): number {
  return probabilisticSharpeOf(m, expectedMaxSharpe(trials, sharpeVariance));
}

export function deflatedSharpe(returns: readonly number[], trials: number, sharpeVariance: number): number {
  return deflatedSharpeOf(sharpeMoments(returns), trials, sharpeVariance);
}
