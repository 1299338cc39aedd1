/** One bar as a priced order sees it; high and low may be missing (close-only bars). */
export interface TriggerBar {
  open: number;
  close: number;
  high?: number | undefined;
  low?: number | undefined;
}

/**
 * Where a limit or stop order of `side` (buy > 0) at `level` fills on a bar, if it does: at the
 * open when the bar opened at or through the level (a buy limit opening below it fills there,
 * better; a buy stop opening above it, worse), else at the level when the bar's range reached
 * it. Without high and low the open and close stand in for the range; a bar without an open is
 * read at its close; a bar without a price fills nothing.
 * The event-driven engine and the simulated exchange both fill by this one rule.
 */
export function priceOrderTrigger(
  kind: 'limit' | 'stop',
  side: number,
  level: number,
  bar: TriggerBar,
): number | undefined {
  const { close } = bar;
  // A close-only bar (no open) has one price, its close: the order is looked at there.
  const open = Number.isFinite(bar.open) ? bar.open : close;
  if (!Number.isFinite(open)) return undefined;
  const low = bar.low ?? Math.min(open, close);
  const high = bar.high ?? Math.max(open, close);
  // A buy limit and a sell stop wait for the price to come down to the level; the others, up.
  const down = (kind === 'limit') === side > 0;
  if (down ? open <= level : open >= level) return open;
  if (down ? low <= level : high >= level) return level;
  return undefined;
}
