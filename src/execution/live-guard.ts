/** The environment variable that must be set to this value before anything may trade live. */
export const LIVE_TRADING_ENV = { name: 'QUANTO_ALLOW_LIVE_TRADING', value: 'yes' } as const;

export interface LiveTradingRequest {
  /** The explicit flag (--live, or live: true in the session config). */
  liveFlag: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether a production-tier promotion record of the policy's current outputs exists. */
  productionRecord: boolean;
  /** What the operator typed to confirm. */
  confirmation: string | undefined;
  /** What they must type: names the policy, so a confirmation cannot be reused for another. */
  expectedConfirmation: string;
}

/**
 * Live trading is refused in this phase unless every gate is open at once: the explicit flag,
 * the environment variable, a production-tier promotion record, and a typed confirmation that
 * names the policy. Returns every gate still closed (an empty list means allowed), so a
 * refusal says all that is missing, not just the first thing.
 */
export function liveTradingRefusals(r: LiveTradingRequest): string[] {
  const missing: string[] = [];
  if (!r.liveFlag) missing.push('the explicit live flag is not set');
  if (r.env[LIVE_TRADING_ENV.name] !== LIVE_TRADING_ENV.value)
    missing.push(`${LIVE_TRADING_ENV.name} is not set to '${LIVE_TRADING_ENV.value}'`);
  if (!r.productionRecord) missing.push('there is no production-tier promotion record of this policy');
  if (r.confirmation !== r.expectedConfirmation)
    missing.push(`the confirmation was not typed as '${r.expectedConfirmation}'`);
  return missing;
}
