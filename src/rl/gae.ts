/**
 * Generalised advantage estimation (Schulman et al., 2016) over one rollout, as
 * Stable-Baselines3 computes it: episodeStarts[t] marks that step t began a new episode (so
 * step t - 1 was terminal), lastValue and lastDone describe the state after the rollout.
 * Returns the advantages and the value targets (advantage + value).
 */
export function generalizedAdvantages(
  rewards: ArrayLike<number>,
  values: ArrayLike<number>,
  episodeStarts: ArrayLike<number>,
  lastValue: number,
  lastDone: boolean,
  gamma: number,
  lambda: number,
): { advantages: Float64Array; returns: Float64Array } {
  const n = rewards.length;
  const advantages = new Float64Array(n);
  const returns = new Float64Array(n);
  let lastGae = 0;
  for (let t = n - 1; t >= 0; t--) {
    const nextNonTerminal = t === n - 1 ? 1 - Number(lastDone) : 1 - episodeStarts[t + 1]!;
    const nextValue = t === n - 1 ? lastValue : values[t + 1]!;
    const delta = rewards[t]! + gamma * nextValue * nextNonTerminal - values[t]!;
    lastGae = delta + gamma * lambda * nextNonTerminal * lastGae;
    advantages[t] = lastGae;
    returns[t] = lastGae + values[t]!;
  }
  return { advantages, returns };
}
