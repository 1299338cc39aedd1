import { flattenIntents } from './flatten-intents.js';
import type { Broker, BrokerOrderRequest, BrokerOrderState } from './broker.js';
import { clientOrderId } from './client-order-id.js';
import type { OrderIntent } from './order-intent.js';
import type { OrderRouter, ReconciliationDifference } from './order-router.js';
import type { RiskDecision, RiskEngine } from './risk-engine.js';
import type { TradingLedger } from './trading-ledger.js';

/** An order as routed: what was asked, how many submissions it took, the broker's status or the routing error. */
export interface RoutedOrderRecord {
  intent_id: string;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  type?: 'limit' | 'stop';
  limit_price?: number;
  stop_price?: number;
  order_class?: 'oco';
  reduce_only?: boolean;
  decided_at: string;
  submissions: number;
  /** The broker's status when the order was placed, or the routing error. */
  status: string;
  error?: string;
}

/**
 * What every trading session holds, on any broker: the risk engine, the router in front of
 * the broker, and the ledger the session books its fills into. Replays, paper sessions and
 * Alpaca sessions differ only in the broker and the clock; each step goes through here.
 */
export interface TradingDesk {
  readonly broker: Pick<Broker, 'cancelAllOrders'>;
  readonly router: OrderRouter;
  readonly risk: RiskEngine;
  readonly ledger: TradingLedger;
  readonly runId: string;
  /** Whether a kill switch closes every position (the risk config's flatten_on_kill). */
  readonly flattenOnKill: boolean;
}

/** Compares the ledger's positions with the broker's; any difference halts (before any order at the start). */
export async function reconcileOrHalt(
  desk: TradingDesk,
  when: 'start' | 'end',
  held: ReadonlyMap<string, number>,
): Promise<ReconciliationDifference[]> {
  const diffs = await desk.router.reconcile(held);
  if (diffs.length > 0)
    desk.risk.halt(
      `reconciliation at the ${when}: the ledger and the broker differ in ${diffs.map((d) => d.symbol).join(', ')}`,
    );
  return diffs;
}

export interface TradingStepRecord {
  intents: OrderIntent[];
  decisions: RiskDecision[];
  orders: RoutedOrderRecord[];
  /** The broker's state of each order placed, for the session to wait on or to fill. */
  placed: BrokerOrderState[];
}

/**
 * One trading step on the close of `date`, the same on every broker: the market data's age
 * checked against the clock, the manual kill switch asked (it halts, cancels what is open and,
 * if so configured, flattens), the decision turned into intents unless halted, each intent
 * checked by the risk engine, and the approved ones routed under deterministic client order ids
 * (a retry cannot double an order). Nothing here knows what decided: a policy, a strategy or
 * the kill switch's flattening.
 */
export async function tradingStep(
  desk: TradingDesk,
  o: {
    date: string;
    /** The close of the bar the decision reads, and now, in ms: the stale-data check. */
    barTimeMs: number;
    nowMs: number;
    lastPrice: (symbol: string) => number;
    /** The symbols a flattening closes (only those held matter). */
    symbols: readonly string[];
    killSwitch?: (() => string | null) | undefined;
    /** Flatten first: a kill switch fired at the last mark. */
    flatten?: boolean;
    /** The decision; null when there is none to make on this step (it already ran). */
    decide: (() => OrderIntent[]) | null;
  },
): Promise<TradingStepRecord> {
  const { risk, ledger } = desk;
  risk.checkMarketData(o.barTimeMs, o.nowMs);
  let flatten = o.flatten === true;
  const manual = risk.state === 'HALTED' ? null : (o.killSwitch?.() ?? null);
  if (manual !== null) {
    risk.halt(`manual kill switch: ${manual}`);
    await desk.broker.cancelAllOrders();
    if (desk.flattenOnKill) flatten = true;
  }
  const intents: OrderIntent[] = [];
  if (flatten)
    intents.push(
      ...flattenIntents({
        symbols: o.symbols,
        holdings: o.symbols.map((s) => ledger.position(s)),
        prices: o.symbols.map((s) => o.lastPrice(s)),
        date: o.date,
        reason: `kill switch: ${risk.haltReason}`,
      }),
    );
  if (risk.state !== 'HALTED' && o.decide) {
    try {
      intents.push(...o.decide());
    } catch (err) {
      // Whatever decided failed (a strategy that threw, sized with NaN, named an unknown symbol): nothing is sent.
      risk.halt(`the decision on ${o.date} failed: ${(err as Error).message}`);
    }
  }
  const record: TradingStepRecord = { intents: [], decisions: [], orders: [], placed: [] };
  for (const intent of intents) {
    const decision = risk.check(intent, ledger.view(o.lastPrice), o.nowMs);
    record.intents.push(intent);
    record.decisions.push(decision);
    if (decision.action === 'reject') continue;
    const request: BrokerOrderRequest = {
      client_order_id: clientOrderId(desk.runId, intent.id),
      symbol: intent.symbol,
      side: intent.side,
      qty: decision.quantity,
      ...(intent.type === 'limit' ? { type: 'limit' as const, limit_price: intent.limit_price! } : {}),
      ...(intent.type === 'stop' ? { type: 'stop' as const, stop_price: intent.stop_price! } : {}),
      ...(intent.order_class === 'oco' ? { order_class: 'oco' as const, stop_price: intent.stop_price! } : {}),
      ...(intent.type && intent.reduce_only ? { reduce_only: true } : {}),
    };
    const base = { intent_id: intent.id, ...request, decided_at: o.date };
    try {
      const routed = await desk.router.submit(request);
      record.placed.push(routed.order);
      record.orders.push({ ...base, submissions: routed.submissions, status: routed.order.status });
    } catch (err) {
      record.orders.push({ ...base, submissions: 0, status: 'failed', error: (err as Error).message });
    }
  }
  return record;
}
