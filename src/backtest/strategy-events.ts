import type { LoadedStrategy } from '../strategy/loaded-strategy.js';
import { StrategyError } from '../strategy/loaded-strategy.js';
import type { StrategyContext, StrategyFill, SymbolRef } from '../strategy/strategy-context.js';
import { vectorizedWeights } from '../strategy/vectorized-weights.js';
import type { Bracket } from './account-config.js';
import { targetWeightStrategy, type BarView, type EventStrategy, type OrderSink } from './event-driven.js';
import type { MarketData } from './market-data.js';

/**
 * A loaded strategy as the event-driven engine runs it. A vectorized one places its target
 * weights on each decision bar; an event-driven one gets a StrategyContext over the engine's
 * view of the bar (no future in it) and its orders go to the engine's order book. `exits` are
 * the config's bracket: attached to every order that names none of its own. Whatever the
 * strategy does wrong fails with its name and the bar.
 */
export function eventStrategyOf(
  strategy: LoadedStrategy,
  data: MarketData,
  maxLeverage: number,
  exits?: Bracket,
): EventStrategy {
  const d = strategy.definition;
  if (typeof d.weights === 'function')
    return targetWeightStrategy(vectorizedWeights(strategy, data, maxLeverage), exits);
  const handlers = d.start(strategy.config, data.symbols);
  const index = new Map(data.symbols.map((s, i) => [s, i]));
  let bar: BarView | undefined;
  let orders: OrderSink | undefined;
  const fail = (message: string): never => {
    throw new StrategyError(`strategy '${d.name}' (${strategy.file}) on ${bar?.date ?? 'its first bar'}: ${message}`);
  };
  const symbolIndex = (ref: SymbolRef): number => {
    const s = typeof ref === 'number' ? ref : index.get(ref);
    if (s === undefined || !Number.isInteger(s) || s < 0 || s >= data.symbols.length)
      return fail(
        `no symbol ${JSON.stringify(ref)} among the ${data.symbols.length} it trades (${data.symbols.slice(0, 5).join(', ')}${data.symbols.length > 5 ? ', ...' : ''})`,
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
    symbols: data.symbols,
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
    order: (ref, shares, own) => {
      finite('the order size', shares, ref);
      orders!.shares(symbolIndex(ref), shares, own ?? exits);
    },
    cancel: (ref) => orders!.cancel(ref === undefined ? undefined : symbolIndex(ref)),
  };
  return {
    onBar(view, sink) {
      bar = view;
      orders = sink;
      try {
        if (handlers.onFill)
          for (const f of view.fills) {
            const fill: StrategyFill = {
              symbol: f.symbol,
              date: f.date,
              shares: f.shares,
              price: f.price,
              fee: f.fee,
              reason: f.reason,
            };
            handlers.onFill(fill, ctx);
          }
        handlers.onBar(ctx);
      } catch (err) {
        if (err instanceof StrategyError) throw err;
        fail((err as Error).message);
      }
    },
  };
}
