import type { CostModel } from '../costs/cost-model.js';
import { performanceMetrics, type PerformanceMetrics } from '../evaluation/performance-metrics.js';
import { flattenIntents, intentsFromAction } from '../execution/action-intents.js';
import { clientOrderId } from '../execution/client-order-id.js';
import type { OrderIntent } from '../execution/order-intent.js';
import type { RiskConfig } from '../execution/risk-config.js';
import { RiskEngine, type RiskDecision, type TradingState } from '../execution/risk-engine.js';
import { SimulatedBroker, type BrokerExecution, type BrokerOrder } from '../execution/simulated-broker.js';
import { TradingLedger, type LedgerEntry } from '../execution/trading-ledger.js';
import { actDeterministic, type TrainedPolicy } from '../rl/ppo.js';
import { observationOf, type EnvMarket } from '../rl/trading-env.js';

export interface ShadowReplay {
  intents: OrderIntent[];
  decisions: RiskDecision[];
  orders: (BrokerOrder & { decided_at: string; due: string })[];
  executions: (BrokerExecution & { date: string; symbol: string })[];
  ledger: readonly LedgerEntry[];
  equity: { date: string; equity: number }[];
  metrics: PerformanceMetrics & {
    intents: number;
    approved: number;
    resized: number;
    rejected: number;
    orders: number;
    fills: number;
    broker_rejections: number;
    final_state: TradingState;
    halt_reason: string | null;
  };
}

/** When in a session's date its close is taken to be, for the risk engine's clock (21:00 UTC, the NYSE close in winter). */
const CLOSE_UTC_MS = 21 * 3_600_000;

/**
 * Replays a trained policy over a window through the path paper trading takes, without a
 * broker: each close, the policy's action becomes order intents; the risk engine approves,
 * resizes or rejects each; approved intents become orders with deterministic client order
 * ids; the simulated broker fills them on the next bar through the shared cost model; fills go
 * to the append-only ledger; the book is marked at each close, where the daily loss limit can
 * fire the kill switch (which flattens on the next bar if so configured). Nothing reads a
 * clock or a random source: the same inputs give the same bytes.
 */
export function replayPolicy(o: { market: EnvMarket; policy: TrainedPolicy; hmax: number; initialCash: number; costs: CostModel; risk: RiskConfig; runId: string; policyName: string }): ShadowReplay {
  const { market } = o;
  const T = market.dates.length;
  const ledger = new TradingLedger(o.initialCash);
  const risk = new RiskEngine(o.risk);
  const broker = new SimulatedBroker(o.costs);
  const out: Omit<ShadowReplay, 'metrics' | 'ledger'> = { intents: [], decisions: [], orders: [], executions: [], equity: [] };
  const index = new Map(market.symbols.map((s, i) => [s, i]));
  let dayStart = o.initialCash;
  let flattenPending = false;
  out.equity.push({ date: market.dates[0]!, equity: o.initialCash });

  for (let t = 0; t + 1 < T; t++) {
    const date = market.dates[t]!;
    const lastPrice = (symbol: string) => {
      const i = index.get(symbol);
      return i === undefined ? Number.NaN : market.close[i]![t]!;
    };
    const prices = market.close.map((c) => c[t]!);
    const holdings = market.symbols.map((s) => ledger.position(s));
    const intents: OrderIntent[] = [];
    if (flattenPending) {
      intents.push(...flattenIntents({ symbols: market.symbols, holdings, prices, date, reason: `kill switch: ${risk.haltReason}` }));
      flattenPending = false;
    }
    if (risk.state !== 'HALTED') {
      const action = actDeterministic(o.policy, observationOf(market, t, ledger.cash, holdings));
      intents.push(...intentsFromAction({ action, symbols: market.symbols, holdings, hmax: o.hmax, prices, date, policy: o.policyName }));
    }
    const now = Date.parse(`${date}T00:00:00Z`) + CLOSE_UTC_MS;
    const orders: BrokerOrder[] = [];
    for (const intent of intents) {
      const decision = risk.check(intent, ledger.view(lastPrice), now);
      out.intents.push(intent);
      out.decisions.push(decision);
      if (decision.action === 'reject') continue;
      const order: BrokerOrder = { client_order_id: clientOrderId(o.runId, intent.id), symbol: intent.symbol, side: intent.side, quantity: decision.quantity };
      orders.push(order);
      out.orders.push({ ...order, decided_at: date, due: market.dates[t + 1]! });
    }

    // The next bar: fills, then the mark at its close.
    const e = t + 1;
    for (const order of orders) {
      const i = index.get(order.symbol)!;
      const tradable = !market.tradable || market.tradable[i]![e] !== 0;
      const bar = { date: market.dates[e]!, open: tradable ? market.open[i]![e]! : Number.NaN, close: tradable ? market.close[i]![e]! : Number.NaN, volume: market.volume[i]![e]! };
      const execution = broker.execute(order, bar, ledger.cash);
      out.executions.push({ ...execution, date: bar.date, symbol: order.symbol });
      if (execution.shares !== 0) ledger.record({ date: bar.date, client_order_id: order.client_order_id, symbol: order.symbol, shares: execution.shares, price: execution.price, fee: execution.fee });
    }
    const equity = ledger.value((s) => market.close[index.get(s)!]![e]!);
    out.equity.push({ date: market.dates[e]!, equity });
    if (risk.mark(equity, dayStart) && o.risk.flatten_on_kill) flattenPending = true;
    dayStart = equity; // daily bars: each session is a day
  }

  const count = (a: RiskDecision['action']) => out.decisions.filter((d) => d.action === a).length;
  return {
    ...out,
    ledger: ledger.entries,
    metrics: {
      ...performanceMetrics(out.equity.map((x) => x.equity), 252),
      intents: out.intents.length,
      approved: count('approve'),
      resized: count('resize'),
      rejected: count('reject'),
      orders: out.orders.length,
      fills: out.executions.filter((x) => x.shares !== 0).length,
      broker_rejections: out.executions.filter((x) => x.status === 'rejected').length,
      final_state: risk.state,
      halt_reason: risk.state === 'ACTIVE' ? null : risk.haltReason,
    },
  };
}
