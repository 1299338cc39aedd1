/**
 * Bars of several symbols on one common session axis: `close[s][t]` is symbol s on dates[t].
 * A missing bar is NaN: a symbol cannot trade or be valued that day. High and low are
 * optional (the Dow 30 sample has closes only).
 */
export interface BarPanel {
  readonly dates: readonly string[];
  readonly symbols: readonly string[];
  readonly open: readonly Float64Array[];
  readonly close: readonly Float64Array[];
  readonly volume: readonly Float64Array[];
  readonly high?: readonly Float64Array[];
  readonly low?: readonly Float64Array[];
}
