import { signedQuantity, type OrderIntent } from './order-intent.js';
import type { RiskConfig } from './risk-config.js';

export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';

/** What the risk engine sees of the account at a decision. */
export interface BookView {
  equity: number;
  position(symbol: string): number;
  /** Last bar's close of a symbol, or NaN for an unknown or non-tradable instrument. */
  lastPrice(symbol: string): number;
  /** Sum of |position value| at last prices. */
  grossValue(): number;
}

export interface RiskDecision {
  intent_id: string;
  action: 'approve' | 'resize' | 'reject';
  /** The whole-share quantity approved (0 when rejected). */
  quantity: number;
  reason: string;
  state: TradingState;
}

const MINUTE_MS = 60_000;

/**
 * Pre-trade risk: every intent is approved, resized (to whole shares within every limit) or
 * rejected, with the reason. Trading states: ACTIVE; REDUCING, where only risk-reducing orders
 * pass; HALTED, where nothing but reduce-only (flattening) orders pass. The kill switch halts;
 * it fires by hand, on the daily loss limit (checked at each mark) and on an unknown
 * instrument. Limits are checked against the book after the order, so no approved sequence
 * takes the book past one.
 */
export class RiskEngine {
  private tradingState: TradingState = 'ACTIVE';
  private why = '';
  private readonly approvedAt: number[] = [];

  constructor(private readonly config: RiskConfig) {}

  get state(): TradingState {
    return this.tradingState;
  }

  get haltReason(): string {
    return this.why;
  }

  /** The kill switch: nothing but reduce-only orders from now on. */
  halt(reason: string): void {
    if (this.tradingState === 'HALTED') return;
    this.tradingState = 'HALTED';
    this.why = reason;
  }

  reduceOnly(reason: string): void {
    if (this.tradingState !== 'ACTIVE') return;
    this.tradingState = 'REDUCING';
    this.why = reason;
  }

  /**
   * Checks the market data a decision is about to use: data older than stale_after_seconds
   * aborts the run (halts; nothing should trade on a price the market has moved away from).
   * Returns whether it was fresh.
   */
  checkMarketData(barTimeMs: number, nowMs: number): boolean {
    const age = (nowMs - barTimeMs) / 1000;
    if (!(age <= this.config.stale_after_seconds)) {
      this.halt(
        `stale market data: the last bar is ${Number.isFinite(age) ? `${Math.round(age)} s` : 'of unknown age'} old, over the ${this.config.stale_after_seconds} s limit`,
      );
      return false;
    }
    return true;
  }

  /** Marks the book: a loss past the daily limit fires the kill switch. Returns whether it fired now. */
  mark(equity: number, dayStartEquity: number): boolean {
    if (this.tradingState === 'HALTED') return false;
    if (equity < dayStartEquity * (1 - this.config.max_daily_loss)) {
      this.halt(
        `daily loss limit: equity ${equity.toFixed(2)} is more than ${(this.config.max_daily_loss * 100).toFixed(2)}% below the day's start ${dayStartEquity.toFixed(2)}`,
      );
      return true;
    }
    return false;
  }

  check(intent: OrderIntent, book: BookView, nowMs: number): RiskDecision {
    const decide = (action: RiskDecision['action'], quantity: number, reason: string): RiskDecision => {
      if (action !== 'reject') this.approvedAt.push(nowMs);
      return {
        intent_id: intent.id,
        action,
        quantity: action === 'reject' ? 0 : quantity,
        reason,
        state: this.tradingState,
      };
    };
    const reject = (reason: string) => decide('reject', 0, reason);
    if (!(Number.isInteger(intent.quantity) && intent.quantity > 0))
      return reject(`quantity must be a whole number of shares > 0, got ${intent.quantity}`);
    const last = book.lastPrice(intent.symbol);
    if (!(last > 0)) {
      this.halt(`unknown or non-tradable instrument ${intent.symbol}`);
      return reject(`unknown or non-tradable instrument ${intent.symbol}: trading halted`);
    }
    const held = book.position(intent.symbol);
    const signed = signedQuantity(intent);
    const reduces = Math.abs(held + signed) <= Math.abs(held) && Math.sign(held + signed) * Math.sign(held) >= 0;
    if (this.tradingState === 'HALTED' && !(intent.reduce_only && reduces))
      return reject(`trading halted: ${this.why}`);
    if (this.tradingState === 'REDUCING' && !reduces)
      return reject(`reducing only (${this.why}): this order adds risk`);
    if (Math.abs(intent.estimated_price / last - 1) > this.config.price_band) {
      return reject(
        `price sanity: estimated ${intent.estimated_price} is more than ${(this.config.price_band * 100).toFixed(1)}% from the last close ${last}`,
      );
    }
    while (this.approvedAt.length > 0 && this.approvedAt[0]! <= nowMs - MINUTE_MS) this.approvedAt.shift();
    if (this.approvedAt.length >= this.config.max_trades_per_minute)
      return reject(`rate: ${this.config.max_trades_per_minute} orders already approved in the last minute`);

    let quantity = intent.quantity;
    const reasons: string[] = [];
    const cap = (limit: number, why: string) => {
      const q = Math.max(0, Math.floor(limit + 1e-9));
      if (q < quantity) {
        quantity = q;
        reasons.push(why);
      }
    };
    cap(this.config.max_order_notional / last, `order notional capped at ${this.config.max_order_notional}`);
    if (!reduces) {
      // Only the part of an order that adds exposure is bounded by the position and leverage limits.
      const side = Math.sign(signed);
      // After the order the position is held + side x q, on the order's side: |held + side x q| = side x held + q.
      cap(
        (this.config.max_position_fraction * book.equity) / last - side * held,
        `position capped at ${(this.config.max_position_fraction * 100).toFixed(1)}% of equity`,
      );
      const grossOthers = book.grossValue() - Math.abs(held * last);
      const maxAbs = (this.config.max_gross_leverage * book.equity - grossOthers) / last;
      cap(maxAbs - side * held, `gross leverage capped at ${this.config.max_gross_leverage}`);
    }
    if (quantity * last < this.config.min_order_notional)
      return reject(
        `order notional ${(quantity * last).toFixed(2)} is under the minimum ${this.config.min_order_notional}${reasons.length ? ` after ${reasons.join(', ')}` : ''}`,
      );
    return quantity === intent.quantity
      ? decide('approve', quantity, 'within limits')
      : decide('resize', quantity, reasons.join('; '));
  }
}
