import type { OrderIntent } from './order-intent.js';

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
