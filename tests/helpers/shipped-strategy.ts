import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BarPanel } from '../../src/strategy/bar-panel.js';
import { loadStrategy, type LoadedStrategy } from '../../src/strategy/loaded-strategy.js';
import { vectorizedWeights } from '../../src/strategy/vectorized-weights.js';
import { REPO_ROOT } from './workspace.js';

/** A strategy Quanto ships (strategies/<kind>.ts), loaded with these settings as a rule would load it. */
export async function shippedStrategy(kind: string, settings: Record<string, unknown> = {}): Promise<LoadedStrategy> {
  const module = (await import(pathToFileURL(join(REPO_ROOT, 'strategies', `${kind}.ts`)).href)) as {
    default: unknown;
  };
  return loadStrategy(module.default, kind, `strategies/${kind}.ts`, settings);
}

/** A shipped vectorized strategy's checked weights over a panel (NaN: hold), as the engines read them. */
export async function shippedWeights(
  kind: string,
  panel: BarPanel,
  settings: Record<string, unknown> = {},
  maxLeverage = 1,
): Promise<Float64Array[]> {
  return vectorizedWeights(await shippedStrategy(kind, settings), panel, maxLeverage);
}
