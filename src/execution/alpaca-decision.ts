import { metricsJson } from '../reports/metrics-json.js';
import { redact } from '../secrets/redact.js';
import { AlpacaBroker } from './alpaca-broker.js';
import type { BrokerSessionRecord } from './broker-session.js';
import { tradeOnce, type BarDecision } from './broker-decision.js';
import type { RiskConfig } from './risk-config.js';

/** Something about this machine's settings (keys, clock) that a person must fix before a session can run. */
export class AlpacaSettingsError extends Error {
  override name = 'AlpacaSettingsError';
}

/** The environment a session reads: the keys, the optional base URL, the optional clock override. */
export type SessionEnv = Readonly<Record<string, string | undefined>>;

/** Now, in ms: QUANTO_NOW (an ISO time, for replays and tests) or the wall clock, which a broker session is about. */
export function sessionNowMs(env: SessionEnv): number {
  if (!env.QUANTO_NOW) return Date.now();
  const ms = Date.parse(env.QUANTO_NOW);
  if (Number.isNaN(ms)) throw new AlpacaSettingsError(`QUANTO_NOW must be an ISO time, got '${env.QUANTO_NOW}'`);
  return ms;
}

/** The keys, or an error saying where to set them (checked before a build, so a session does not wait to fail). */
export function requireAlpacaKeys(env: SessionEnv, account: 'paper' | 'live'): { keyId: string; secretKey: string } {
  const keyId = env.APCA_API_KEY_ID;
  const secretKey = env.APCA_API_SECRET_KEY;
  if (!keyId || !secretKey)
    throw new AlpacaSettingsError(
      `APCA_API_KEY_ID and APCA_API_SECRET_KEY are not set: set both in the environment (keys are read from nowhere else) to trade on the Alpaca ${account} account`,
    );
  return { keyId, secretKey };
}

/**
 * The Alpaca account of a session: keys from APCA_API_KEY_ID and APCA_API_SECRET_KEY and nowhere
 * else; APCA_API_BASE_URL points it at another server (an Alpaca-compatible local one in tests).
 */
export function alpacaBrokerFromEnv(env: SessionEnv, account: 'paper' | 'live'): AlpacaBroker {
  const { keyId, secretKey } = requireAlpacaKeys(env, account);
  const baseUrl = env.APCA_API_BASE_URL;
  return new AlpacaBroker({ keyId, secretKey, paper: account === 'paper', ...(baseUrl ? { baseUrl } : {}) });
}

/**
 * One decision on Alpaca, the only function that makes one: `quanto trade` builds the promoted
 * target and its qualification and then calls this (as `bazel run` builds then runs); the
 * manual //paper/alpaca targets call it from their rule. Both get the same broker, clock, session
 * and decisions.json, whose `config` says what decided and what authorised it (`about`: the
 * experiment or backtest, its outputs digest, the promotion record) and against which account;
 * secrets are redacted from it. `decision` makes the decision for the session's clock (a
 * policy's, policyDecision; a strategy's, strategyDecision).
 */
export async function decideOnAlpaca(o: {
  account: 'paper' | 'live';
  env: SessionEnv;
  decision: (nowMs: number) => Promise<BarDecision>;
  about: Record<string, unknown>;
  ledgerFile: string;
  risk: RiskConfig;
  killSwitch?: () => string | null;
}): Promise<{ date: string; record: BrokerSessionRecord; decisionsJson: string }> {
  const broker = alpacaBrokerFromEnv(o.env, o.account);
  const nowMs = sessionNowMs(o.env);
  const { date, record } = await tradeOnce({
    broker,
    decision: await o.decision(nowMs),
    ledgerFile: o.ledgerFile,
    risk: o.risk,
    nowMs,
    ...(o.killSwitch ? { killSwitch: o.killSwitch } : {}),
  });
  // A broker error recorded in the session (a halt reason) may quote what the broker echoed back, keys included.
  const decisionsJson = redact(
    metricsJson({
      config: {
        ...o.about,
        broker: `alpaca-${o.account}`,
        base_url: o.env.APCA_API_BASE_URL ?? null,
        risk: o.risk,
        as_of: date,
      },
      ...record,
    }),
  );
  return { date, record, decisionsJson };
}

/** The one-line summary of a session, for the log and the terminal. */
export function sessionSummary(date: string, record: BrokerSessionRecord): string {
  return `${record.intents.length} intents, ${record.orders.length} orders, ${record.fills.length} fills for ${date}; ${record.final_state}${record.halt_reason ? ` (${record.halt_reason})` : ''}${record.note ? ` (${record.note})` : ''}`;
}
