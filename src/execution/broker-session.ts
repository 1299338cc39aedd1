import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { redact } from '../secrets/redact.js';
import { dirname } from 'node:path';
import type { Broker, BrokerOrderState, BrokerPosition } from './broker.js';
import type { OrderIntent } from './order-intent.js';
import { OrderRouter, type ReconciliationDifference } from './order-router.js';
import type { RiskConfig } from './risk-config.js';
import { RiskEngine, type RiskDecision, type TradingState } from './risk-engine.js';
import {
  ledgerEntrySchema,
  sessionMarkSchema,
  TradingLedger,
  type LedgerEntry,
  type SessionMark,
} from './trading-ledger.js';
import { reconcileOrHalt, tradingStep, type RoutedOrderRecord, type TradingDesk } from './trading-step.js';

/** A ledger file that is not what the sessions write: the person must restore it, nothing is traded. */
export class LedgerFileError extends Error {
  override name = 'LedgerFileError';
}

/**
 * The ledger of a broker account across sessions: one JSON line per fill and one per session
 * that decided (`{"session": date, "run_id": ...}`), appended, never edited.
 */
export function loadLedger(file: string, initialCash: number): TradingLedger {
  const ledger = new TradingLedger(initialCash);
  if (!existsSync(file)) return ledger;
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .forEach((line, i) => {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new LedgerFileError(
          `${file}:${i + 1}: not a ledger line; the ledger is append-only JSONL (restore it from its backup)`,
        );
      }
      if (json !== null && typeof json === 'object' && 'session' in json) {
        const mark = sessionMarkSchema.safeParse(json);
        if (!mark.success)
          throw new LedgerFileError(
            `${file}:${i + 1}: not a session line (${mark.error.issues.map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`).join('; ')}); the ledger is append-only JSONL written by the sessions (restore it from its backup)`,
          );
        ledger.markSession(mark.data);
        return;
      }
      const parsed = ledgerEntrySchema.safeParse(json);
      if (!parsed.success)
        throw new LedgerFileError(
          `${file}:${i + 1}: not a ledger line (${parsed.error.issues.map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`).join('; ')}); the ledger is append-only JSONL written by the sessions (restore it from its backup)`,
        );
      const e: LedgerEntry = parsed.data;
      ledger.record({
        date: e.date,
        client_order_id: e.client_order_id,
        symbol: e.symbol,
        shares: e.shares,
        price: e.price,
        fee: e.fee,
      });
    });
  return ledger;
}

/** The account as a decision on a broker sees it: cash and positions now, and every fill and deciding session before. */
export interface AccountBook {
  readonly cash: number;
  position(symbol: string): number;
  readonly fills: readonly LedgerEntry[];
  readonly sessions: readonly SessionMark[];
}

export interface BrokerSessionRecord {
  run_id: string;
  decided_at: string;
  broker: { start: { positions: BrokerPosition[] }; end: { positions: BrokerPosition[] } };
  reconciliation: { start: ReconciliationDifference[]; end: ReconciliationDifference[] };
  intents: OrderIntent[];
  risk_decisions: RiskDecision[];
  orders: RoutedOrderRecord[];
  fills: LedgerEntry[];
  final_state: TradingState;
  halt_reason: string | null;
  /** Why no intents were made, when none were (a session for this date already ran). */
  note?: string;
}

/**
 * One decision against a real broker (Alpaca, paper or live): reconcile the account's ledger
 * with the broker's positions (a difference halts before any order), check the market data's
 * age, ask the kill switch, turn the decision into intents, check each with the risk engine,
 * route the approved ones (never doubled), wait for them to reach a final state, append their
 * fills to the ledger file, and reconcile again. Returns everything for decisions.json.
 */
export async function runBrokerSession(o: {
  broker: Broker;
  ledgerFile: string;
  initialCash: number;
  risk: RiskConfig;
  runId: string;
  decidedAt: string;
  /** The close of the bar the decision reads, and now, both in ms: the stale-data check. */
  barTimeMs: number;
  nowMs: number;
  lastPrice: (symbol: string) => number;
  decide: (book: AccountBook) => OrderIntent[];
  killSwitch?: () => string | null;
  /** How long to wait for submitted orders to reach a final state. */
  settleTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}): Promise<BrokerSessionRecord> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const ledger = loadLedger(o.ledgerFile, o.initialCash);
  const risk = new RiskEngine(o.risk);
  const router = new OrderRouter(o.broker, {
    maxRetries: 4,
    baseDelayMs: 500,
    maxRequestsPerMinute: 150,
    maxConsecutiveFailures: 3,
    onBrokerFailures: (n, err) => risk.halt(`${n} consecutive broker failures: ${err.message}`),
  });
  const desk: TradingDesk = {
    broker: o.broker,
    router,
    risk,
    ledger,
    runId: o.runId,
    flattenOnKill: o.risk.flatten_on_kill,
  };
  const held = () => new Map(ledger.symbols().map((s) => [s, ledger.position(s)] as const));
  const start = await o.broker.getPositions();
  const startDiffs = await reconcileOrHalt(desk, 'start', held());
  // One decision per bar: a second run for the same date would trade on a book it already changed.
  const alreadyRan = ledger.decidedOn(o.decidedAt);
  let decided = false;
  const step = await tradingStep(desk, {
    date: o.decidedAt,
    barTimeMs: o.barTimeMs,
    nowMs: o.nowMs,
    lastPrice: o.lastPrice,
    symbols: ledger.symbols(),
    killSwitch: o.killSwitch,
    decide: alreadyRan
      ? null
      : () => {
          const intents = o.decide({
            cash: ledger.cash,
            position: (s) => ledger.position(s),
            fills: ledger.entries,
            sessions: ledger.sessions,
          });
          decided = true;
          return intents;
        },
  });
  const record: BrokerSessionRecord = {
    run_id: o.runId,
    decided_at: o.decidedAt,
    broker: { start: { positions: start }, end: { positions: [] } },
    reconciliation: { start: startDiffs, end: [] },
    intents: step.intents,
    risk_decisions: step.decisions,
    orders: step.orders,
    fills: [],
    final_state: 'ACTIVE',
    halt_reason: null,
  };
  if (alreadyRan)
    record.note = `a session for ${o.decidedAt} already ran: its fills are in ${o.ledgerFile}; nothing more is traded for it`;
  const placed = step.placed;
  // Wait for every order to be final, then book what filled.
  const deadline = Date.now() + (o.settleTimeoutMs ?? 30_000);
  mkdirSync(dirname(o.ledgerFile), { recursive: true });
  for (const order of placed) {
    let state: BrokerOrderState | null = order;
    while (state && (state.status === 'new' || state.status === 'partially_filled') && Date.now() < deadline) {
      await sleep(200);
      state = await o.broker.getOrderByClientId(order.client_order_id);
    }
    if (!state || state.filled_qty === 0 || state.filled_avg_price === null) continue;
    const entry = ledger.record({
      date: o.decidedAt,
      client_order_id: state.client_order_id,
      symbol: state.symbol,
      shares: state.side === 'buy' ? state.filled_qty : -state.filled_qty,
      price: state.filled_avg_price,
      fee: 0,
    });
    appendFileSync(o.ledgerFile, redact(`${JSON.stringify(entry)}\n`));
    record.fills.push(entry);
  }
  // Marked after the fills: a session that crashed before here left no mark, and its date may decide again (the client order ids stop a double order).
  if (decided)
    appendFileSync(o.ledgerFile, `${JSON.stringify(ledger.markSession({ session: o.decidedAt, run_id: o.runId }))}\n`);
  const endDiffs = await reconcileOrHalt(desk, 'end', held());
  record.broker.end.positions = await o.broker.getPositions();
  record.reconciliation.end = endDiffs;
  record.final_state = risk.state;
  record.halt_reason = risk.state === 'ACTIVE' ? null : risk.haltReason;
  return record;
}
