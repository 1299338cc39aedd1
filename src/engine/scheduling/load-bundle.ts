import { pathToFileURL } from 'node:url';

/**
 * Imports a rule bundle with Node's source-map support on, so a rule's error points at its
 * TypeScript source (rules/backtest.ts:27:11), not at the bundle in cache/rules/. The bundles
 * carry their maps inline; support is per thread, and only modules loaded after it is turned on
 * are mapped, hence here, before every load, in the main thread and in workers alike.
 */
export async function importRuleBundle(bundlePath: string): Promise<{ default?: unknown }> {
  process.setSourceMapsEnabled(true);
  return (await import(pathToFileURL(bundlePath).href)) as { default?: unknown };
}
