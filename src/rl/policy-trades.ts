/** One trade a policy's action asks for: an asset (its index in the action) and signed whole shares. */
export interface PolicyTrade {
  readonly asset: number;
  readonly shares: number;
}

/**
 * The trades an action in [-1, 1]^D asks for, the way the trading environment reads it (FinRL's
 * StockTradingEnv): each component times hmax, truncated to whole shares; sells first (no more
 * than is held, so a policy never shorts), the largest first, then buys, the largest first;
 * ties by asset order, so the sequence never depends on sort stability. The order matters: the
 * sells free the cash the buys spend, and a buy the cash left cannot pay is cut down.
 */
export function policyTrades(action: ArrayLike<number>, hmax: number, holdings: ArrayLike<number>): PolicyTrade[] {
  const D = action.length;
  const shares = Array.from({ length: D }, (_, i) => Math.trunc(Math.max(-1, Math.min(1, action[i]!)) * hmax));
  const assets = Array.from({ length: D }, (_, i) => i);
  const sells = assets
    .filter((i) => shares[i]! < 0 && holdings[i]! > 0)
    .sort((a, b) => shares[a]! - shares[b]! || a - b)
    .map((i) => ({ asset: i, shares: -Math.min(-shares[i]!, holdings[i]!) }));
  const buys = assets
    .filter((i) => shares[i]! > 0)
    .sort((a, b) => shares[b]! - shares[a]! || a - b)
    .map((i) => ({ asset: i, shares: shares[i]! }));
  return [...sells, ...buys];
}
