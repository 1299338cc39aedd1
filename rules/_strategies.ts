import type { PluginUse, RuleContext } from '../src/engine/rule-api.js';
import { loadStrategy, type LoadedStrategy } from '../src/strategy/loaded-strategy.js';
import { strategyModuleOf, strategySettings, type StrategyRef } from '../src/strategy/strategy-ref.js';

/** The plugin a config's strategy reference at `at` names: strategies/<kind>.ts, its settings beside `kind`. */
export function strategyUse(ref: StrategyRef, at: readonly (string | number)[]): PluginUse {
  return { module: strategyModuleOf(ref.kind), namedAt: [...at, 'kind'], settingsAt: at, settingsExcept: ['kind'] };
}

/** The strategy a reference names, as the engine loaded it for this action, with its settings. */
export function strategyOf(ctx: RuleContext<unknown>, ref: StrategyRef): LoadedStrategy {
  const module = strategyModuleOf(ref.kind);
  if (!(module in ctx.plugins))
    throw new Error(`${ctx.label}: the strategy ${module} was not loaded: the rule must list it in plugins()`);
  return loadStrategy(ctx.plugins[module], ref.kind, `${module}.ts`, strategySettings(ref));
}
