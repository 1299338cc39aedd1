import type { CostModel } from '../costs/cost-model.js';
import { flattenIntents } from './action-intents.js';
import type { BrokerPosition } from './broker.js';
import { clientOrderId } from './client-order-id.js';
import type { OrderIntent } from './order-intent.js';
import { OrderRouter, type ReconciliationDifference } from './order-router.js';
import type { RiskConfig } from './risk-config.js';
import { RiskEngine, type RiskDecision, type TradingState } from './risk-engine.js';
import { SimulatedExchange, type ExchangeBars, type SimulatedFill } from './simulated-exchange.js';
import { TradingLedger, type LedgerEntry } from './trading-ledger.js';

export interface RoutedOrderRecord {
  intent_id: string;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  decided_at: string;
  submissions: number;
  /** The broker's status when the order was placed, or the routing error. */
  status: string;
  error?: string;
}

export interface BrokerSnapshot {
  cash: number;
  positions: BrokerPosition[];
}

export interface SessionRecord {
  intents: OrderIntent[];
  decisions: RiskDecision[];
  orders: RoutedOrderRecord[];
  fills: SimulatedFill[];
  ledger: readonly LedgerEntry[];
  equity: { date: string; equity: number }[];
  broker: { start: BrokerSnapshot; end: BrokerSnapshot };
  reconciliation: { start: ReconciliationDifference[]; end: ReconciliationDifference[] };
  final_state: TradingState;
  halt_reason: string | null;
}

/** When in a session's date its close is taken to be, for the risk engine's and router's clock (21:00 UTC). */
const CLOSE_UTC_MS = 21 * 3_600_000;

/**
 * A trading session over historical bars, on the path live trading takes: at each close,
 * `decide` turns the book into order intents; the risk engine approves, resizes or rejects
 * each; approved intents go through the order router (deterministic client order ids, retries
 * that cannot double an order) to a simulated exchange that fills them on the next bar through
 * the shared cost model; fills go to the append-only ledger; the book is marked at each close,
 * where the daily loss limit or repeated broker failures fire the kill switch (flattening on the
 * next bar if configured). The ledger is reconciled against the exchange at the start and the
 * end; a difference halts. Its clock is the bars', so a replay gives the same bytes every time.
 */
export async function runReplaySession(o: {
  bars: ExchangeBars;
  costs: CostModel;
  initialCash: number;
  risk: RiskConfig;
  runId: string;
  decide: (t: number, book: { cash: number; holdings: number[] }) => OrderIntent[];
  /** The manual kill switch: asked before each decision; a reason halts the session (see `quanto kill`). */
  killSwitch?: () => string | null;
  /** The exchange to trade on (tests hand one in to make it disagree with the ledger or fail). */
  exchange?: SimulatedExchange;
}): Promise<SessionRecord> {
  const { bars } = o;
  const T = bars.dates.length;
  const exchange = o.exchange ?? new SimulatedExchange(bars, o.costs, o.initialCash);
  const ledger = new TradingLedger(o.initialCash);
  const risk = new RiskEngine(o.risk);
  let clock = 0;
  const router = new OrderRouter(exchange, {
    maxRetries: 3,
    baseDelayMs: 1000,
    maxRequestsPerMinute: 190,
    maxConsecutiveFailures: 3,
    onBrokerFailures: (n, err) => risk.halt(`${n} consecutive broker failures: ${err.message}`),
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
  });
  const index = new Map(bars.symbols.map((s, i) => [s, i]));
  const positions = () => new Map(bars.symbols.map((s) => [s, ledger.position(s)] as const).filter(([, q]) => q !== 0));
  const snapshot = async (): Promise<BrokerSnapshot> => ({
    cash: exchange.accountCash,
    positions: await exchange.getPositions(),
  });
  const record: Omit<SessionRecord, 'ledger' | 'broker' | 'reconciliation' | 'final_state' | 'halt_reason'> = {
    intents: [],
    decisions: [],
    orders: [],
    fills: [],
    equity: [{ date: bars.dates[0]!, equity: o.initialCash }],
  };
  const start = await snapshot();
  const startDiffs = await router.reconcile(positions());
  if (startDiffs.length > 0)
    risk.halt(
      `reconciliation at the start: the ledger and the broker differ in ${startDiffs.map((d) => d.symbol).join(', ')}`,
    );
  let dayStart = o.initialCash;
  let flattenPending = false;

  for (let t = 0; t + 1 < T; t++) {
    const date = bars.dates[t]!;
    clock = Math.max(clock, Date.parse(`${date}T00:00:00Z`) + CLOSE_UTC_MS);
    const lastPrice = (symbol: string) => {
      const i = index.get(symbol);
      return i === undefined ? Number.NaN : bars.close[i]![t]!;
    };
    // The decision uses bar t's close, taken at the clock: fresh by construction in a replay, checked all the same.
    risk.checkMarketData(Date.parse(`${date}T00:00:00Z`) + CLOSE_UTC_MS, clock);
    const manual = risk.state === 'HALTED' ? null : (o.killSwitch?.() ?? null);
    if (manual !== null) {
      // By hand: halt, cancel what is open at the broker, and flatten if so configured.
      risk.halt(`manual kill switch: ${manual}`);
      await exchange.cancelAllOrders();
      if (o.risk.flatten_on_kill) flattenPending = true;
    }
    const holdings = bars.symbols.map((s) => ledger.position(s));
    const intents: OrderIntent[] = [];
    if (flattenPending) {
      intents.push(
        ...flattenIntents({
          symbols: bars.symbols,
          holdings,
          prices: bars.close.map((c) => c[t]!),
          date,
          reason: `kill switch: ${risk.haltReason}`,
        }),
      );
      flattenPending = false;
    }
    if (risk.state !== 'HALTED') intents.push(...o.decide(t, { cash: ledger.cash, holdings }));
    for (const intent of intents) {
      const decision = risk.check(intent, ledger.view(lastPrice), clock);
      record.intents.push(intent);
      record.decisions.push(decision);
      if (decision.action === 'reject') continue;
      const request = {
        client_order_id: clientOrderId(o.runId, intent.id),
        symbol: intent.symbol,
        side: intent.side,
        qty: decision.quantity,
      };
      const base = { intent_id: intent.id, ...request, decided_at: date };
      try {
        const routed = await router.submit(request);
        record.orders.push({ ...base, submissions: routed.submissions, status: routed.order.status });
      } catch (err) {
        record.orders.push({ ...base, submissions: 0, status: 'failed', error: (err as Error).message });
      }
    }
    for (const fill of exchange.advance()) {
      ledger.record(fill);
      record.fills.push(fill);
    }
    const e = t + 1;
    const equity = ledger.value((s) => bars.close[index.get(s)!]![e]!);
    record.equity.push({ date: bars.dates[e]!, equity });
    if (risk.mark(equity, dayStart) && o.risk.flatten_on_kill) flattenPending = true;
    dayStart = equity; // daily bars: each session is a day
  }
  const endDiffs = await router.reconcile(positions());
  if (endDiffs.length > 0)
    risk.halt(
      `reconciliation at the end: the ledger and the broker differ in ${endDiffs.map((d) => d.symbol).join(', ')}`,
    );
  return {
    ...record,
    ledger: ledger.entries,
    broker: { start, end: await snapshot() },
    reconciliation: { start: startDiffs, end: endDiffs },
    final_state: risk.state,
    halt_reason: risk.state === 'ACTIVE' ? null : risk.haltReason,
  };
}
