import type { Broker } from './broker.js';
import { runBrokerSession, type AccountBook, type BrokerSessionRecord } from './broker-session.js';
import type { OrderIntent } from './order-intent.js';
import type { RiskConfig } from './risk-config.js';

/** Daily bars are stamped at the US close (21:00 UTC): the stale-data check measures from there. */
const CLOSE_UTC_MS = 21 * 3_600_000;
const DAY_MS = 86_400_000;

/** The first day of the window a broker decision looks for its latest bar in: the 30 days before now. */
export function latestBarWindow(nowMs: number): { start: string; end: string } {
  return {
    start: new Date(nowMs - 30 * DAY_MS).toISOString().slice(0, 10),
    end: new Date(nowMs).toISOString().slice(0, 10),
  };
}

/** The run id of a broker session (what its client order ids derive from): what decided, and the bar. */
export function brokerRunId(label: string, date: string): string {
  return `${label}@${date}`;
}

/**
 * What decides on a broker, whatever it is (a trained policy, a strategy): the bar it decides
 * on (the latest built one), the account's starting cash, the last close of each symbol, and
 * the decision from the account's book as its ledger holds it (a strategy replays its history
 * from it to restore its state).
 */
export interface BarDecision {
  /** The label of what decides (//experiments/x, //backtests/x): the session's run id starts with it. */
  readonly label: string;
  readonly date: string;
  readonly initialCash: number;
  lastPrice(symbol: string): number;
  /** From the account as its ledger holds it: cash, positions, and every fill and deciding session before this one. */
  decide(book: AccountBook): OrderIntent[];
  /** Frees what the decision holds (a policy's tensors). */
  dispose?(): void;
}

/**
 * One decision against a real broker on the bar a BarDecision is about: the broker session
 * (reconcile, stale data, kill switch, the decision, risk, routing, fills into the account's
 * ledger, reconciliation). Every broker decision goes through here, whatever decided it.
 */
export async function tradeOnce(o: {
  broker: Broker;
  decision: BarDecision;
  ledgerFile: string;
  risk: RiskConfig;
  nowMs: number;
  killSwitch?: () => string | null;
}): Promise<{ date: string; record: BrokerSessionRecord }> {
  const { decision } = o;
  try {
    const record = await runBrokerSession({
      broker: o.broker,
      ledgerFile: o.ledgerFile,
      initialCash: decision.initialCash,
      risk: o.risk,
      runId: brokerRunId(decision.label, decision.date),
      decidedAt: decision.date,
      barTimeMs: Date.parse(`${decision.date}T00:00:00Z`) + CLOSE_UTC_MS,
      nowMs: o.nowMs,
      lastPrice: (s) => decision.lastPrice(s),
      ...(o.killSwitch ? { killSwitch: o.killSwitch } : {}),
      decide: (book) => decision.decide(book),
    });
    return { date: decision.date, record };
  } finally {
    decision.dispose?.();
  }
}
