import type { BarPanel } from './bar-panel.js';
import { StrategyError, warmupOf, type LoadedStrategy } from './loaded-strategy.js';
import { sizeDecisions, sizingWarmup, type SizedDecisions, type Sizing } from './sizing.js';

/**
 * A vectorized strategy's decisions over the panel, checked, in the engines' form: weights[s][t]
 * on a decision bar, NaN (keep the position) on every other. A strategy that throws, returns
 * the wrong shape, a weight that is not a finite number, or a bar whose gross weight is over
 * `maxLeverage`, fails with its name, the bar, the symbol and the value.
 */
export function vectorizedWeights(strategy: LoadedStrategy, panel: BarPanel, maxLeverage: number): Float64Array[] {
  const d = strategy.definition;
  if (typeof d.weights !== 'function')
    throw new StrategyError(
      `strategy '${d.name}' is event-driven: run it on the event-driven engine (engine: event_driven)`,
    );
  const who = `strategy '${d.name}' (${strategy.file})`;
  let out;
  try {
    out = d.weights(panel, strategy.config, strategy.prepared);
  } catch (err) {
    throw new StrategyError(`${who} failed: ${(err as Error).message}`, { cause: err });
  }
  const weights = Array.isArray(out)
    ? (out as readonly Float64Array[])
    : (out as { weights: readonly Float64Array[] }).weights;
  const rebalance = Array.isArray(out) ? undefined : (out as { rebalance: ArrayLike<boolean | number> }).rebalance;
  const S = panel.symbols.length;
  const T = panel.dates.length;
  if (!Array.isArray(weights) || weights.length !== S || weights.some((w) => !w || w.length !== T))
    throw new StrategyError(
      `${who} returned weights that are not ${S} symbols x ${T} bars (one array per symbol of the panel)`,
    );
  if (rebalance !== undefined && (!rebalance || rebalance.length !== T))
    throw new StrategyError(`${who} returned a rebalance mask that is not ${T} bars long`);
  const result = Array.from({ length: S }, () => new Float64Array(T).fill(Number.NaN));
  for (let t = 0; t < T; t++) {
    if (rebalance !== undefined && !rebalance[t]) continue;
    let gross = 0;
    for (let s = 0; s < S; s++) {
      const w = weights[s]![t]!;
      if (!Number.isFinite(w))
        throw new StrategyError(
          `${who} gave ${panel.symbols[s]} the weight ${w} on ${panel.dates[t]}: a decision's weights must be finite numbers`,
        );
      result[s]![t] = w;
      gross += Math.abs(w);
    }
    if (gross > maxLeverage * (1 + 1e-9))
      throw new StrategyError(
        `${who} asked for a gross weight of ${gross} on ${panel.dates[t]}, over the account's max_leverage of ${maxLeverage}`,
      );
  }
  return result;
}

/** A vectorized strategy's checked decisions, sized (its own weights when `sizing` is absent). */
export function sizedWeights(
  strategy: LoadedStrategy,
  panel: BarPanel,
  maxLeverage: number,
  sizing: Sizing | undefined,
): SizedDecisions {
  const decisions = vectorizedWeights(strategy, panel, maxLeverage);
  return sizing ? sizeDecisions(panel, decisions, sizing, maxLeverage) : { values: decisions, unit: 'weight' };
}

/** Sizing reads a vectorized strategy's signals; an event-driven one sizes its own orders. */
export function refuseSizingOfEvents(sizing: Sizing | undefined, kind: string): void {
  if (sizing && sizing.kind !== 'target_weights')
    throw new StrategyError(
      `sizing: ${sizing.kind} sizes a vectorized strategy's signals; '${kind}' is event-driven and sizes its own orders (ctx.targetWeight, ctx.order): remove sizing`,
    );
}

/**
 * Bars of history a session hands a strategy before its window (or its first decision on a
 * broker): the strategy's own warm-up and its sizing's, so the window's first bar is sized as
 * every later one is.
 */
export function sessionWarmup(strategy: LoadedStrategy, sizing: Sizing | undefined): number {
  return warmupOf(strategy) + sizingWarmup(sizing);
}
