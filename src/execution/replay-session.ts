import type { CostModel } from '../costs/cost-model.js';
import type { BrokerPosition } from './broker.js';
import type { OrderIntent } from './order-intent.js';
import { OrderRouter, type ReconciliationDifference } from './order-router.js';
import type { RiskConfig } from './risk-config.js';
import { RiskEngine, type RiskDecision, type TradingState } from './risk-engine.js';
import { SimulatedExchange, type ExchangeBars, type SimulatedFill } from './simulated-exchange.js';
import { TradingLedger, type LedgerEntry } from './trading-ledger.js';
import { reconcileOrHalt, tradingStep, type RoutedOrderRecord, type TradingDesk } from './trading-step.js';

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
  /** The decision on bar t's close, from the book and the fills booked on bar t (the decision of t - 1 filling). */
  decide: (t: number, book: { cash: number; holdings: number[] }, fills: readonly SimulatedFill[]) => OrderIntent[];
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
  const desk: TradingDesk = {
    broker: exchange,
    router,
    risk,
    ledger,
    runId: o.runId,
    flattenOnKill: o.risk.flatten_on_kill,
  };
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
  const startDiffs = await reconcileOrHalt(desk, 'start', positions());
  let dayStart = o.initialCash;
  let flattenPending = false;
  let barFills: SimulatedFill[] = [];

  for (let t = 0; t + 1 < T; t++) {
    const date = bars.dates[t]!;
    clock = Math.max(clock, Date.parse(`${date}T00:00:00Z`) + CLOSE_UTC_MS);
    // The decision uses bar t's close, taken at the clock: fresh by construction in a replay, checked all the same.
    const step = await tradingStep(desk, {
      date,
      barTimeMs: Date.parse(`${date}T00:00:00Z`) + CLOSE_UTC_MS,
      nowMs: clock,
      lastPrice: (symbol) => {
        const i = index.get(symbol);
        return i === undefined ? Number.NaN : bars.close[i]![t]!;
      },
      symbols: bars.symbols,
      killSwitch: o.killSwitch,
      flatten: flattenPending,
      decide: () => o.decide(t, { cash: ledger.cash, holdings: bars.symbols.map((s) => ledger.position(s)) }, barFills),
    });
    flattenPending = false;
    record.intents.push(...step.intents);
    record.decisions.push(...step.decisions);
    record.orders.push(...step.orders);
    barFills = exchange.advance();
    for (const fill of barFills) {
      ledger.record(fill);
      record.fills.push(fill);
    }
    const e = t + 1;
    const equity = ledger.value((s) => bars.close[index.get(s)!]![e]!);
    record.equity.push({ date: bars.dates[e]!, equity });
    if (risk.mark(equity, dayStart) && o.risk.flatten_on_kill) flattenPending = true;
    dayStart = equity; // daily bars: each session is a day
  }
  const endDiffs = await reconcileOrHalt(desk, 'end', positions());
  return {
    ...record,
    ledger: ledger.entries,
    broker: { start, end: await snapshot() },
    reconciliation: { start: startDiffs, end: endDiffs },
    final_state: risk.state,
    halt_reason: risk.state === 'ACTIVE' ? null : risk.haltReason,
  };
}
