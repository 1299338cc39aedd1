/**
 * The strategy API. A strategy is a module of the workspace (strategies/<name>.ts) that
 * default-exports `defineStrategy({...})`; configs name it by `kind: <name>` and its own
 * settings sit beside that key, validated by its `config` schema when the build is planned.
 * Its source and everything it imports are in the key of every target that uses it. This
 * module imports nothing at run time, so a strategy importing it pulls nothing else into
 * its source digest.
 */
import type { ZodType } from 'zod';
import type { BarPanel } from './bar-panel.js';
import type { StrategyContext, StrategyFill } from './strategy-context.js';

export type { BarPanel } from './bar-panel.js';
export type { OrderExits, OrderPrice, StrategyContext, StrategyFill, SymbolRef } from './strategy-context.js';

/**
 * Target weights per symbol and bar: weights[s][t] is decided on bar t's close and executes on
 * a later bar. With `rebalance`, only the bars it marks are decisions (the positions are held,
 * drifting, in between) and the rest of the weights are ignored; without it every bar is one.
 * A decision's weights must be finite numbers.
 */
export type TargetWeights =
  readonly Float64Array[] | { weights: readonly Float64Array[]; rebalance: ArrayLike<boolean | number> };

interface StrategyBase<C> {
  /** Must equal the file's name (strategies/<name>.ts). */
  readonly name: string;
  /** Bump to rebuild everything the strategy fed without editing its code. */
  readonly version: number;
  readonly description?: string;
  /** Its settings (the keys beside `kind:` in a config): defaults filled in before they are keyed. */
  readonly config: ZodType<C>;
  /**
   * Bars of history the strategy reads before its first decision (a 200-day average: 200). A
   * runner that trades a window starting later feeds it that much of the earlier bars, so the
   * window starts warmed up; 0 (the default) starts it on the window's first bar.
   */
  warmup?(config: C): number;
}

/** A vectorized strategy: every decision at once, from the whole panel. Fast, and what sweeps run. */
export interface VectorizedStrategy<C> extends StrategyBase<C> {
  /** Target weights over the panel. weights[s][t] may read the panel at t and before, never after. */
  weights(panel: BarPanel, config: C): TargetWeights;
  readonly onBar?: undefined;
}

/** The handlers of one run of an event-driven strategy; state lives in the closure that made them. */
export interface StrategyHandlers {
  /** Called on each bar's close, after that bar's fills were reported. */
  onBar(ctx: StrategyContext): void;
  /** Each fill of the bar, reported on its close before onBar (what a strategy would hear by then). */
  onFill?(fill: StrategyFill, ctx: StrategyContext): void;
}

/** An event-driven strategy: bar by bar, seeing only the past, placing order intents. */
export interface EventDrivenStrategy<C> extends StrategyBase<C> {
  /** A fresh run's handlers, for the symbols it will trade. */
  start(config: C, symbols: readonly string[]): StrategyHandlers;
  readonly weights?: undefined;
}

export type StrategyDefinition<C = unknown> = VectorizedStrategy<C> | EventDrivenStrategy<C>;

export function defineStrategy<C>(definition: VectorizedStrategy<C>): VectorizedStrategy<C>;
export function defineStrategy<C>(definition: EventDrivenStrategy<C>): EventDrivenStrategy<C>;
export function defineStrategy<C>(definition: StrategyDefinition<C>): StrategyDefinition<C> {
  return definition;
}
