/**
 * Hit-strike labels for options: for a contract quoted on day t, does the underlying trade at
 * the strike between the next session and expiry (inclusive)? A strike at or above day t's close
 * is hit when a later high reaches it; a strike below, when a later low does. The label is
 * forward-looking by construction (role: label), and it is only given once every session up to
 * expiry is known: a contract whose expiry lies past the last bar has an empty label, not a 0.
 *
 * Prices are compared in day t's units (raw price x split factor of its day / split factor of
 * t), the way an exchange adjusts a contract's strike when the underlying splits.
 */
export interface HitStrikeBar {
  date: string;
  high: number;
  low: number;
  close: number;
  split_factor: number;
}

export interface HitStrikeContract {
  date: string;
  expiry: string;
  strike: number;
}

export interface HitStrikeLabel {
  /** 1 if the strike was touched before expiry, 0 if not, NaN while unresolved. */
  hit: number;
  /** The last session the label looked at: the touch, or the last session up to expiry ('' while unresolved). */
  t1: string;
  /** Sessions from t to the touch (NaN if not hit or unresolved). */
  sessionsToHit: number;
}

export function hitStrikeLabels(
  bars: readonly HitStrikeBar[],
  contracts: readonly HitStrikeContract[],
): HitStrikeLabel[] {
  const index = new Map(bars.map((b, i) => [b.date, i]));
  const last = bars.at(-1)?.date ?? '';
  return contracts.map((c) => {
    const unresolved = { hit: Number.NaN, t1: '', sessionsToHit: Number.NaN };
    const t = index.get(c.date);
    if (t === undefined)
      throw new Error(`hit-strike labels: a contract is quoted on ${c.date}, a day with no bar of its underlying`);
    // Every session up to expiry must be known before the label can say 'not hit'.
    if (c.expiry > last) return unresolved;
    const base = bars[t]!;
    const up = c.strike >= base.close;
    let lastSeen = '';
    for (let s = t + 1; s < bars.length && bars[s]!.date <= c.expiry; s++) {
      const bar = bars[s]!;
      const scale = bar.split_factor / base.split_factor;
      lastSeen = bar.date;
      if (up ? bar.high * scale >= c.strike : bar.low * scale <= c.strike)
        return { hit: 1, t1: bar.date, sessionsToHit: s - t };
    }
    return { hit: 0, t1: lastSeen || c.date, sessionsToHit: Number.NaN };
  });
}
