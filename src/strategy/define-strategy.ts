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

/** The output directory of each target a strategy declared under `data` and a config bound under `data:`, by name. */
export type StrategyData = Readonly<Record<string, string>>;

interface StrategyBase<C, P> {
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
  /**
   * The targets it reads beyond the bars it trades (a feature set, a trained model), by name,
   * each with what it must be: a config binds every name under `strategy.data:` to a target,
   * which becomes a dep (its outputs in the key) of everything that runs the strategy.
   */
  readonly data?: Readonly<Record<string, string>>;
  /**
   * Reads what it needs from those targets' outputs once, before the first bar (a model's
   * weights, a feature panel); what it returns is handed to weights() or start(). It must not
   * read later than the bars it will be shown need: the context holds no future, and neither
   * should this.
   */
  prepare?(config: C, data: StrategyData): P | Promise<P>;
}

/** A vectorized strategy: every decision at once, from the whole panel. Fast, and what sweeps run. */
export interface VectorizedStrategy<C, P = undefined> extends StrategyBase<C, P> {
  /** Target weights over the panel. weights[s][t] may read the panel at t and before, never after. */
  weights(panel: BarPanel, config: C, prepared: P): TargetWeights;
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
export interface EventDrivenStrategy<C, P = undefined> extends StrategyBase<C, P> {
  /** A fresh run's handlers, for the symbols it will trade (`prepared`: what prepare() returned). */
  start(config: C, symbols: readonly string[], prepared: P): StrategyHandlers;
  readonly weights?: undefined;
}

export type StrategyDefinition<C = unknown, P = unknown> = VectorizedStrategy<C, P> | EventDrivenStrategy<C, P>;

export function defineStrategy<C, P = undefined>(definition: VectorizedStrategy<C, P>): VectorizedStrategy<C, P>;
export function defineStrategy<C, P = undefined>(definition: EventDrivenStrategy<C, P>): EventDrivenStrategy<C, P>;
export function defineStrategy<C, P>(definition: StrategyDefinition<C, P>): StrategyDefinition<C, P> {
  return definition;
}
