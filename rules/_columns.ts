// Column roles rules report to the engine (RuleResult.columns), which checks consumers against them.
// Its own file, importing nothing: a helper module's imports enter the key of every rule using it.

/** The column roles of a feature table: its keys (symbol, date, when each row became knowable) and its features. */
export function featureTableRoles(features: readonly string[]): Record<string, string> {
  return { symbol: 'key', date: 'key', knowable_at: 'key', ...Object.fromEntries(features.map((c) => [c, 'feature'])) };
}
