import { z } from 'zod';
import type { BookView } from './risk-engine.js';

/** One fill as the ledger keeps it, with the cash and position right after it. One line of an account's ledger, strictly: a hand edit that drops or adds a field is refused, not read as zero. */
export const ledgerEntrySchema = z
  .object({
    seq: z.number().int().nonnegative(),
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    client_order_id: z.string().min(1),
    symbol: z.string().min(1),
    shares: z.number().int(),
    price: z.number().positive(),
    fee: z.number().nonnegative(),
    cash_after: z.number(),
    position_after: z.number().int(),
  })
  .strict();

/**
 * A session that decided on a date, whether or not anything filled: a second session for that
 * date must not decide again, and a strategy restored by replay starts at the account's first
 * decision (the fills alone do not say when that was, nor which days decided to do nothing).
 */
export const sessionMarkSchema = z
  .object({
    session: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    run_id: z.string().min(1),
  })
  .strict();

export type SessionMark = z.infer<typeof sessionMarkSchema>;

export interface LedgerEntry {
  seq: number;
  date: string;
  client_order_id: string;
  symbol: string;
  /** Signed shares (sells negative). */
  shares: number;
  price: number;
  fee: number;
  cash_after: number;
  position_after: number;
}

/**
 * The account as fills make it: append-only entries, from which cash and positions follow, and
 * the marks of the sessions that decided. Nothing is ever edited; a correction would be another
 * entry.
 */
export class TradingLedger {
  private cashBalance: number;
  private readonly held = new Map<string, number>();
  private readonly log: LedgerEntry[] = [];
  private readonly marks: SessionMark[] = [];

  constructor(initialCash: number) {
    this.cashBalance = initialCash;
  }

  get cash(): number {
    return this.cashBalance;
  }

  get entries(): readonly LedgerEntry[] {
    return this.log;
  }

  /** The sessions that decided, in the order they ran. */
  get sessions(): readonly SessionMark[] {
    return this.marks;
  }

  /** Records that a session decided on `mark.session` (after its fills, so a crash before it lets the date run again). */
  markSession(mark: SessionMark): SessionMark {
    this.marks.push(mark);
    return mark;
  }

  /** Whether a session already decided on `date`: its mark, or (a ledger older than marks) a fill booked on it. */
  decidedOn(date: string): boolean {
    return this.marks.some((m) => m.session === date) || this.log.some((e) => e.date === date);
  }

  position(symbol: string): number {
    return this.held.get(symbol) ?? 0;
  }

  /** Symbols with a non-zero position, sorted. */
  symbols(): string[] {
    return [...this.held.entries()]
      .filter(([, q]) => q !== 0)
      .map(([s]) => s)
      .sort();
  }

  record(fill: {
    date: string;
    client_order_id: string;
    symbol: string;
    shares: number;
    price: number;
    fee: number;
  }): LedgerEntry {
    this.cashBalance -= fill.shares * fill.price + fill.fee;
    const position = this.position(fill.symbol) + fill.shares;
    this.held.set(fill.symbol, position);
    const entry: LedgerEntry = {
      seq: this.log.length,
      ...fill,
      cash_after: this.cashBalance,
      position_after: position,
    };
    this.log.push(entry);
    return entry;
  }

  /** Cash plus positions at `price(symbol)`. */
  value(price: (symbol: string) => number): number {
    let v = this.cashBalance;
    for (const [s, q] of this.held) if (q !== 0) v += q * price(s);
    return v;
  }

  /** The ledger as the risk engine sees it, at the given last prices. */
  view(lastPrice: (symbol: string) => number): BookView {
    return {
      equity: this.value(lastPrice),
      position: (s) => this.position(s),
      lastPrice,
      grossValue: () => [...this.held].reduce((g, [s, q]) => g + Math.abs(q * lastPrice(s)), 0),
    };
  }
}
