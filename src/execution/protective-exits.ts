import type { BarPanel } from '../strategy/bar-panel.js';
import { panelAtr } from '../strategy/panel-atr.js';
import type { OrderExits } from '../strategy/strategy-context.js';
import type { OrderIntent } from './order-intent.js';
import type { SimulatedFill } from './simulated-exchange.js';

/** A position's exits once the fill that opened it is known. */
interface ArmedExits {
  exits: OrderExits;
  /** The fill that opened the position, the bar it filled on, and its side. */
  entry: number;
  entryBar: number;
  side: number;
  /** The best close since the fill (the trailing stop trails it). */
  best: number;
  /** stop_atr's distance, from the ATR as of the bar that decided the entry. */
  atrDistance: number;
}

/** A price an order can carry to a broker: whole cents (Alpaca refuses sub-penny prices above $1). */
const cents = (x: number) => Math.round(x * 100) / 100;

/**
 * A strategy's exits on the trading path, where every order is a day order: the exits an order
 * asked for are armed by the fill that opens its position, and at each close after it the
 * position is protected for the next bar by a reduce-only day order: an OCO of the take-profit
 * and the tightest stop (stop-loss, `stop_atr` ATRs, the trailing stop under the best close so
 * far), a lone stop or limit when only one is set, or a market order on the bar before
 * `max_bars` runs out (it fills at the next open, as the event-driven engine's time exit does).
 * Unlike that engine, the protection starts on the bar after the fill (the order goes out at
 * the fill bar's close), and levels are whole cents.
 */
export class ProtectiveExits {
  private readonly armed = new Map<number, ArmedExits>();
  /** Exits an order asked for, with the bar that decided it, until a fill opens its position. */
  private readonly wanted = new Map<number, { exits: OrderExits; decided: number }>();
  private readonly held: number[];
  private readonly atrs = new Map<string, number[]>();
  /** Why each protective intent would fill, by intent id: the event-driven engine's fill reasons. */
  private readonly reasons = new Map<string, { side: number; stop?: string; take?: number; market?: string }>();

  constructor(
    private readonly panel: BarPanel,
    private readonly who: string,
  ) {
    this.held = panel.symbols.map(() => 0);
  }

  /** The strategy placed an order on symbol s on bar p, with these exits (none: a later fill arms nothing). */
  want(s: number, exits: OrderExits | undefined, p: number): void {
    if (exits && Object.values(exits).some((v) => v !== undefined)) this.wanted.set(s, { exits, decided: p });
    else this.wanted.delete(s);
  }

  /** The fills of bar p and the holdings after them: a fill that opens (or flips) a position arms its exits. */
  observe(p: number, fills: readonly SimulatedFill[], holdings: readonly number[]): void {
    const lastFill = new Map<number, number>();
    for (const f of fills) lastFill.set(this.panel.symbols.indexOf(f.symbol), f.price);
    for (let s = 0; s < holdings.length; s++) {
      const now = holdings[s]!;
      const before = this.held[s]!;
      this.held[s] = now;
      if (now === 0) {
        this.armed.delete(s);
        continue;
      }
      const opened = before === 0 || Math.sign(before) !== Math.sign(now);
      const want = this.wanted.get(s);
      if (opened && lastFill.has(s)) {
        this.armed.delete(s);
        if (want) {
          this.wanted.delete(s);
          const entry = lastFill.get(s)!;
          const { stop_atr: k, atr_window: window } = want.exits;
          this.armed.set(s, {
            exits: want.exits,
            entry,
            entryBar: p,
            side: Math.sign(now),
            best: entry,
            atrDistance: k === undefined ? Number.NaN : k * this.atrOf(s, window ?? 14)[want.decided]!,
          });
        }
      }
      const a = this.armed.get(s);
      const close = this.panel.close[s]![p]!;
      if (a && Number.isFinite(close)) a.best = a.side > 0 ? Math.max(a.best, close) : Math.min(a.best, close);
    }
  }

  /**
   * The orders protecting each armed position over the next bar, sized to what it will be once
   * the strategy's own orders of this close fill (`after`: 0 where they close it; a position
   * they flip is the new side's, armed by its own fill).
   */
  intents(p: number, after: (s: number) => number): OrderIntent[] {
    const out: OrderIntent[] = [];
    const date = this.panel.dates[p]!;
    for (const [s, a] of [...this.armed].sort((x, y) => x[0] - y[0])) {
      const position = after(s);
      if (position === 0 || Math.sign(position) !== a.side) continue;
      const qty = Math.abs(position);
      const { exits, side, entry } = a;
      const symbol = this.panel.symbols[s]!;
      const base = {
        id: `${date}:${symbol}:exit`,
        symbol,
        side: side > 0 ? ('sell' as const) : ('buy' as const),
        quantity: qty,
        estimated_price: this.panel.close[s]![p]!,
        decided_at: date,
        reduce_only: true,
      };
      if (exits.max_bars !== undefined && p + 1 >= a.entryBar + exits.max_bars) {
        out.push({ ...base, reason: `${this.who}: time exit after ${exits.max_bars} bars` });
        this.reasons.set(base.id, { side, market: 'time_exit' });
        continue;
      }
      const stops = [
        exits.stop_loss === undefined ? Number.NaN : entry * (1 - side * exits.stop_loss),
        entry - side * a.atrDistance,
        exits.trailing_stop === undefined ? Number.NaN : a.best * (1 - side * exits.trailing_stop),
      ].filter((x) => Number.isFinite(x));
      const tightest = stops.length === 0 ? Number.NaN : side > 0 ? Math.max(...stops) : Math.min(...stops);
      const stop = stops.length === 0 ? undefined : cents(tightest);
      // The trailing stop is the reason when it binds (as the event-driven engine names it); any other stop is a stop-loss.
      const trailing = exits.trailing_stop === undefined ? Number.NaN : a.best * (1 - side * exits.trailing_stop);
      this.reasons.set(base.id, {
        side,
        ...(stop === undefined ? {} : { stop: trailing === tightest ? 'trailing_stop' : 'stop_loss' }),
        ...(exits.take_profit === undefined ? {} : { take: cents(entry * (1 + side * exits.take_profit)) }),
      });
      const take = exits.take_profit === undefined ? undefined : cents(entry * (1 + side * exits.take_profit));
      const why = [stop === undefined ? '' : `stop ${stop}`, take === undefined ? '' : `take-profit ${take}`]
        .filter(Boolean)
        .join(', ');
      if (stop !== undefined && take !== undefined)
        out.push({
          ...base,
          reason: `${this.who}: protective exit (${why})`,
          type: 'limit',
          order_class: 'oco',
          limit_price: take,
          stop_price: stop,
        });
      else if (stop !== undefined)
        out.push({ ...base, reason: `${this.who}: protective exit (${why})`, type: 'stop', stop_price: stop });
      else if (take !== undefined)
        out.push({ ...base, reason: `${this.who}: protective exit (${why})`, type: 'limit', limit_price: take });
    }
    return out;
  }

  /** Why a fill of intent `intentId` at `price` happened (stop_loss, trailing_stop, take_profit, time_exit), if it is a protective one. */
  fillReason(intentId: string, price: number): string | undefined {
    const r = this.reasons.get(intentId);
    if (!r) return undefined;
    if (r.market) return r.market;
    // An OCO's take-profit leg fills at its limit or better, its stop leg at the stop or worse.
    if (r.take !== undefined && (r.side > 0 ? price >= r.take : price <= r.take)) return 'take_profit';
    return r.stop ?? 'take_profit';
  }

  private atrOf(s: number, window: number): number[] {
    const key = `${s}:${window}`;
    let values = this.atrs.get(key);
    if (!values) this.atrs.set(key, (values = panelAtr(this.panel, s, window)));
    return values;
  }
}
