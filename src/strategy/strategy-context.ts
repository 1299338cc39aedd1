/** A symbol by its name (as in the bars) or its index in `ctx.symbols`. */
export type SymbolRef = string | number;

/**
 * Exits attached to an order, armed when it opens a position: stop-loss and take-profit as
 * fractions of the fill price; a stop `stop_atr` ATRs (over `atr_window` bars, 14 by default, as
 * of the decision) away; a trailing stop a fraction below the best close since the fill (above,
 * for a short); a time exit `max_bars` bars after the fill. The tightest stop binds.
 */
export interface OrderExits {
  readonly stop_loss?: number;
  readonly take_profit?: number;
  readonly trailing_stop?: number;
  readonly stop_atr?: number;
  readonly atr_window?: number;
  readonly max_bars?: number;
}

/**
 * A price condition on a share order: `limit` fills only at that price or better (a buy at or
 * below it, a sell at or above it), `stop` only once the market trades at or through it (a buy
 * at or above, a sell at or below), then at that price or the open beyond it. It waits for
 * `good_for_bars` execution bars (1, a day order, by default) and is then cancelled.
 */
export interface OrderPrice {
  readonly limit?: number;
  readonly stop?: number;
  readonly good_for_bars?: number;
}

/** A fill of one of the strategy's orders, as the strategy hears of it. */
export interface StrategyFill {
  readonly symbol: string;
  /** The session it filled on. */
  readonly date: string;
  /** Signed: bought > 0. */
  readonly shares: number;
  readonly price: number;
  readonly fee: number;
  /** order, stop_loss, trailing_stop, take_profit, time_exit or margin_call. */
  readonly reason: string;
}

/**
 * What an event-driven strategy sees on a bar's close, and the only way it acts. It holds no
 * future: every read is of this bar or an earlier one (asking for a later one throws), so a
 * strategy cannot look ahead by construction. Orders are intents: they go through sizing, the
 * risk checks and the order path of whatever runs the strategy, and fill on a later bar.
 */
export interface StrategyContext {
  /** Index of this bar on the session axis. */
  readonly t: number;
  readonly date: string;
  readonly symbols: readonly string[];
  /** Bar t - ago of a symbol (ago >= 0, default 0). NaN where it did not trade. */
  close(symbol: SymbolRef, ago?: number): number;
  open(symbol: SymbolRef, ago?: number): number;
  /** The bar's high and low, or its open/close range where the bars have none. */
  high(symbol: SymbolRef, ago?: number): number;
  low(symbol: SymbolRef, ago?: number): number;
  volume(symbol: SymbolRef, ago?: number): number;
  /** Shares held now (signed). */
  position(symbol: SymbolRef): number;
  readonly cash: number;
  /** Cash plus positions at this close. */
  readonly equity: number;
  /** How many orders of a symbol (of every symbol when omitted) are placed and not yet done. */
  openOrders(symbol?: SymbolRef): number;
  /** Trade a symbol to `weight` of the equity valued at the execution price. */
  targetWeight(symbol: SymbolRef, weight: number, exits?: OrderExits): void;
  /** Trade `shares` of a symbol (signed: buy > 0), at market or, with `price`, as a limit or stop order. */
  order(symbol: SymbolRef, shares: number, exits?: OrderExits, price?: OrderPrice): void;
  /** Cancel the open orders of a symbol (every symbol when omitted). */
  cancel(symbol?: SymbolRef): void;
  /**
   * What this bar's decision read (a digest of a model's input, its output), recorded with the
   * bar's order intents (of one symbol, or of every symbol when omitted) in decisions.json, so a
   * decision can be explained and replayed. Values are strings or finite numbers. Runners that
   * keep no intents (the event-driven engine) ignore it.
   */
  note(inputs: Readonly<Record<string, string | number>>, symbol?: SymbolRef): void;
}
