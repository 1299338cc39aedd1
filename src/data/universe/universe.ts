import { z } from 'zod';
import { tickerMetadataSchema, type Rename } from '../schemas/reference.js';

export type TickerMetadata = z.infer<typeof tickerMetadataSchema>;

/**
 * The symbols that traded on a date: listed on or before it and not yet delisted (a name
 * delisted later is a member until then). Built from listing histories, not from today's
 * survivors, so a backtest over the past sees the universe it would have seen.
 */
export function universeAsOf(tickers: readonly TickerMetadata[], date: string, filter: { types?: readonly TickerMetadata['type'][] } = {}): string[] {
  return tickers
    .filter((t) => t.listed <= date && (t.delisted === null || t.delisted > date))
    .filter((t) => !filter.types || filter.types.includes(t.type))
    .map((t) => t.symbol)
    .sort();
}

/**
 * For each symbol that was renamed, the symbol its history continues under today (chains
 * followed: A→B then B→C gives C for both). A cycle of renames is an error.
 */
export function finalSymbols(renames: readonly Rename[]): Map<string, string> {
  const next = new Map<string, { to: string; on: string }>();
  for (const r of [...renames].sort((a, b) => (a.effective_date < b.effective_date ? -1 : 1))) {
    if (next.has(r.symbol)) throw new Error(`${r.symbol} is renamed twice (to ${next.get(r.symbol)!.to} and ${r.new_symbol})`);
    next.set(r.symbol, { to: r.new_symbol, on: r.effective_date });
  }
  const out = new Map<string, string>();
  for (const start of next.keys()) {
    let symbol = start;
    const seen = new Set<string>([symbol]);
    while (next.has(symbol)) {
      symbol = next.get(symbol)!.to;
      if (seen.has(symbol)) throw new Error(`renames form a cycle through ${[...seen].join(' -> ')} -> ${symbol}`);
      seen.add(symbol);
    }
    out.set(start, symbol);
  }
  return out;
}
