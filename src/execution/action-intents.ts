import type { OrderIntent } from './order-intent.js';

/**
 * Order intents from a policy's action vector, the way the trading environment reads it: each
 * action in [-1, 1] times hmax, truncated to whole shares; sells (no more than held) first,
 * largest first, then buys, largest first; ties by symbol order. The intent ids are
 * `<date>:<symbol>`, unique within a run.
 */
export function intentsFromAction(o: {
  action: ArrayLike<number>;
  symbols: readonly string[];
  holdings: ArrayLike<number>;
  hmax: number;
  prices: ArrayLike<number>;
  date: string;
  policy: string;
  inputs?: Record<string, string | number>;
}): OrderIntent[] {
  const D = o.symbols.length;
  const shares = Array.from({ length: D }, (_, i) => Math.trunc(Math.max(-1, Math.min(1, o.action[i]!)) * o.hmax));
  const order = Array.from({ length: D }, (_, i) => i);
  const intent = (i: number, side: 'buy' | 'sell', quantity: number): OrderIntent => ({
    id: `${o.date}:${o.symbols[i]}`,
    symbol: o.symbols[i]!,
    side,
    quantity,
    reason: `${o.policy}: action ${Number(o.action[i]).toFixed(4)} x hmax ${o.hmax}`,
    estimated_price: o.prices[i]!,
    decided_at: o.date,
    ...(o.inputs ? { inputs: { ...o.inputs, action: Number(o.action[i]) } } : {}),
  });
  const sells = order
    .filter((i) => shares[i]! < 0 && o.holdings[i]! > 0)
    .sort((a, b) => shares[a]! - shares[b]! || a - b)
    .map((i) => intent(i, 'sell', Math.min(-shares[i]!, o.holdings[i]!)));
  const buys = order
    .filter((i) => shares[i]! > 0)
    .sort((a, b) => shares[b]! - shares[a]! || a - b)
    .map((i) => intent(i, 'buy', shares[i]!));
  return [...sells, ...buys];
}

/** Reduce-only intents that close every position (the kill switch's flattening). */
export function flattenIntents(o: {
  symbols: readonly string[];
  holdings: ArrayLike<number>;
  prices: ArrayLike<number>;
  date: string;
  reason: string;
}): OrderIntent[] {
  return o.symbols.flatMap((symbol, i) => {
    const held = o.holdings[i]!;
    if (held === 0) return [];
    return [
      {
        id: `${o.date}:${symbol}:flatten`,
        symbol,
        side: held > 0 ? ('sell' as const) : ('buy' as const),
        quantity: Math.abs(held),
        reason: o.reason,
        estimated_price: o.prices[i]!,
        decided_at: o.date,
        reduce_only: true,
      },
    ];
  });
}
