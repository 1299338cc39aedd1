import type { EventDrivenStrategy } from './define-strategy.js';
import { StrategyError, type LoadedStrategy } from './loaded-strategy.js';
import type { OrderExits, OrderPrice, StrategyContext, StrategyFill, SymbolRef } from './strategy-context.js';

/**
 * What a runner shows an event-driven strategy on a bar's close, by symbol index: reads of this
 * bar and earlier ones only (a runner throws on a later one), and the account as it stands.
 */
export interface BarSource {
  readonly t: number;
  readonly date: string;
  close(s: number, ago?: number): number;
  open(s: number, ago?: number): number;
  high(s: number, ago?: number): number;
  low(s: number, ago?: number): number;
  volume(s: number, ago?: number): number;
  position(s: number): number;
  readonly cash: number;
  readonly equity: number;
  openOrders(s?: number): number;
}

/** Where a runner takes a strategy's orders, by symbol index; sizes are checked finite before they get here. */
export interface OrderTaker {
  targetWeight(s: number, weight: number, exits?: OrderExits): void;
  shares(s: number, shares: number, exits?: OrderExits, price?: OrderPrice): void;
  cancel(s?: number): void;
  /** What the bar's decision read, for the intents of symbol s (of every symbol when undefined); see StrategyContext.note. */
  note(s: number | undefined, inputs: Readonly<Record<string, string | number>>): void;
}

/** One run of an event-driven strategy, bar by bar: the same for the event-driven engine and the trading path. */
export interface StrategyRun {
  /** The bar's fills (told to onFill, in order), then its close (onBar). */
  onBar(bar: BarSource, orders: OrderTaker, fills: readonly StrategyFill[]): void;
}

/**
 * Starts an event-driven strategy over some symbols. Its context resolves symbols by name or
 * index, refuses sizes that are not finite numbers, and attaches `exits` to every order that
 * names none of its own. Whatever the strategy does wrong (throws, names an unknown symbol, sizes
 * with NaN) fails with its name, its file and the bar.
 */
export function startStrategy(strategy: LoadedStrategy, symbols: readonly string[], exits?: OrderExits): StrategyRun {
  const d = strategy.definition as EventDrivenStrategy<unknown, unknown>;
  let handlers: ReturnType<typeof d.start>;
  try {
    handlers = d.start(strategy.config, symbols, strategy.prepared);
  } catch (err) {
    throw new StrategyError(`strategy '${d.name}' (${strategy.file}) failed to start: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const index = new Map(symbols.map((s, i) => [s, i]));
  let bar: BarSource | undefined;
  let orders: OrderTaker | undefined;
  const fail = (message: string): never => {
    throw new StrategyError(`strategy '${d.name}' (${strategy.file}) on ${bar?.date ?? 'its first bar'}: ${message}`);
  };
  const symbolIndex = (ref: SymbolRef): number => {
    const s = typeof ref === 'number' ? ref : index.get(ref);
    if (s === undefined || !Number.isInteger(s) || s < 0 || s >= symbols.length)
      return fail(
        `no symbol ${JSON.stringify(ref)} among the ${symbols.length} it trades (${symbols.slice(0, 5).join(', ')}${symbols.length > 5 ? ', ...' : ''})`,
      );
    return s;
  };
  const finite = (what: string, x: number, ref: SymbolRef) => {
    if (!Number.isFinite(x)) fail(`${what} for ${String(ref)} must be a finite number, got ${x}`);
  };
  const ctx: StrategyContext = {
    get t() {
      return bar!.t;
    },
    get date() {
      return bar!.date;
    },
    symbols,
    close: (ref, ago) => bar!.close(symbolIndex(ref), ago),
    open: (ref, ago) => bar!.open(symbolIndex(ref), ago),
    high: (ref, ago) => bar!.high(symbolIndex(ref), ago),
    low: (ref, ago) => bar!.low(symbolIndex(ref), ago),
    volume: (ref, ago) => bar!.volume(symbolIndex(ref), ago),
    position: (ref) => bar!.position(symbolIndex(ref)),
    get cash() {
      return bar!.cash;
    },
    get equity() {
      return bar!.equity;
    },
    openOrders: (ref) => bar!.openOrders(ref === undefined ? undefined : symbolIndex(ref)),
    targetWeight: (ref, weight, own) => {
      finite('the target weight', weight, ref);
      orders!.targetWeight(symbolIndex(ref), weight, own ?? exits);
    },
    order: (ref, shares, own, price) => {
      finite('the order size', shares, ref);
      if (price) checkOrderPrice(price, ref, fail);
      orders!.shares(symbolIndex(ref), shares, own ?? exits, price);
    },
    cancel: (ref) => orders!.cancel(ref === undefined ? undefined : symbolIndex(ref)),
    note: (inputs, ref) => {
      for (const [key, value] of Object.entries(inputs))
        if (!(typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))))
          fail(`note ${key} must be a string or a finite number, got ${String(value)}`);
      orders!.note(ref === undefined ? undefined : symbolIndex(ref), { ...inputs });
    },
  };
  return {
    onBar(source, taker, fills) {
      bar = source;
      orders = taker;
      try {
        if (handlers.onFill) for (const fill of fills) handlers.onFill(fill, ctx);
        handlers.onBar(ctx);
      } catch (err) {
        if (err instanceof StrategyError) throw err;
        fail((err as Error).message);
      }
    },
  };
}

/** A limit or stop price must be a positive number, one of the two, and its life a whole number of bars. */
function checkOrderPrice(price: OrderPrice, ref: SymbolRef, fail: (message: string) => never): void {
  const { limit, stop, good_for_bars: life } = price;
  if ((limit === undefined) === (stop === undefined))
    fail(`an order for ${String(ref)} gives ${limit === undefined ? 'neither' : 'both'} a limit and a stop: give one`);
  const level = limit ?? stop!;
  if (!(Number.isFinite(level) && level > 0))
    fail(
      `the ${limit !== undefined ? 'limit' : 'stop'} price for ${String(ref)} must be a positive number, got ${level}`,
    );
  if (life !== undefined && !(Number.isInteger(life) && life >= 1))
    fail(`good_for_bars for ${String(ref)} must be a whole number of bars >= 1, got ${life}`);
}
