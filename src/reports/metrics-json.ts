/**
 * JSON for metrics files: NaN and infinities as null (JSON has neither), two-space indented,
 * keys in the order the caller built them (fixed in code, so the bytes are reproducible).
 * Its own module so that everything writing metrics shares it without importing a writer.
 */
export function metricsJson(value: unknown): string {
  return `${JSON.stringify(value, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}
