import type { StrategyDefinition } from './define-strategy.js';
import { strategySettings, type StrategyRef } from './strategy-ref.js';

/** A strategy as a runner gets it: its definition, where it came from, and its settings, parsed. */
export interface LoadedStrategy {
  readonly definition: StrategyDefinition;
  /** The module file (strategies/sma_crossover.ts, or quanto:strategies/... for a shipped one): for errors. */
  readonly file: string;
  /** Its settings, as its config schema parses them. */
  readonly config: unknown;
  /** What its prepare() returned from its data (undefined without one): see prepareStrategy. */
  readonly prepared?: unknown;
}

/** A strategy's own error, naming it: every failure of user code says whose code failed. */
export class StrategyError extends Error {
  override name = 'StrategyError';
}

/**
 * Checks that a module's default export is a strategy named `kind`, and parses its settings.
 * The engine validated the settings at planning already; parsing again here (cheap) hands the
 * strategy exactly the values it would see anywhere else it runs.
 */
export function loadStrategy(
  value: unknown,
  kind: string,
  file: string,
  settings: unknown,
  /** The targets the config binds under `data:`, by name (checked against the names it declares). */
  data: Readonly<Record<string, string>> = {},
): LoadedStrategy {
  const d = value as Partial<StrategyDefinition> | undefined;
  const problems: string[] = [];
  if (!d || typeof d !== 'object') problems.push('it has no default export (export default defineStrategy({...}))');
  else {
    if (d.name !== kind)
      problems.push(`its name is '${String(d.name)}' but configs name it '${kind}'; they must agree`);
    if (!Number.isInteger(d.version) || (d.version as number) < 0)
      problems.push('version must be a non-negative integer');
    if (!d.config || typeof (d.config as { safeParse?: unknown }).safeParse !== 'function')
      problems.push('config must be a zod schema');
    const vectorized = typeof d.weights === 'function';
    const eventDriven = typeof (d as { start?: unknown }).start === 'function';
    if (vectorized === eventDriven)
      problems.push(
        'it must define exactly one of weights(panel, config) (vectorized) or start(config, symbols) (event-driven)',
      );
  }
  if (problems.length > 0) throw new StrategyError(`strategy ${file} is malformed: ${problems.join('; ')}`);
  const definition = d as StrategyDefinition;
  const declared = Object.keys(definition.data ?? {}).sort();
  const bound = Object.keys(data).sort();
  const missing = declared.filter((n) => !bound.includes(n));
  const unknown = bound.filter((n) => !declared.includes(n));
  if (missing.length > 0 || unknown.length > 0)
    throw new StrategyError(
      `strategy '${kind}' (${file}) data: ${[
        ...missing.map((n) => `${n} is not bound (${definition.data![n]}): add data: {${n}: //<target>} beside kind`),
        ...unknown.map(
          (n) =>
            `${n} is not data it reads (${declared.length === 0 ? 'it declares none' : `it reads ${declared.join(', ')}`})`,
        ),
      ].join('; ')}`,
    );
  const parsed = definition.config.safeParse(settings);
  if (!parsed.success)
    throw new StrategyError(
      `strategy '${kind}' (${file}) settings: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return { definition, file, config: parsed.data };
}

/** The strategy's warm-up in bars (0 when it declares none). */
export function warmupOf(strategy: LoadedStrategy): number {
  const bars = strategy.definition.warmup?.(strategy.config) ?? 0;
  if (!Number.isInteger(bars) || bars < 0)
    throw new StrategyError(
      `strategy '${strategy.definition.name}': warmup must be a whole number of bars, got ${bars}`,
    );
  return bars;
}

/**
 * Runs a strategy's prepare() on its data (the output directory of each target bound under
 * `data:`), once, before anything runs it; what it returns travels with the strategy to
 * weights() or start(). A strategy without one is returned as it is.
 */
export async function prepareStrategy(
  strategy: LoadedStrategy,
  dirs: Readonly<Record<string, string>>,
): Promise<LoadedStrategy> {
  const { prepare, name } = strategy.definition;
  if (!prepare) return strategy;
  try {
    return { ...strategy, prepared: await prepare.call(strategy.definition, strategy.config, dirs) };
  } catch (err) {
    throw new StrategyError(`strategy '${name}' (${strategy.file}) failed to prepare: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * The strategy a config's reference names, loaded from its module's default export with its
 * settings and prepared on the targets its `data:` binds (`dirOf`: where a target's outputs are).
 */
export function loadPreparedStrategy(
  value: unknown,
  ref: StrategyRef,
  file: string,
  dirOf: (label: string) => string,
): Promise<LoadedStrategy> {
  const data = ref.data ?? {};
  return prepareStrategy(
    loadStrategy(value, ref.kind, file, strategySettings(ref), data),
    Object.fromEntries(Object.entries(data).map(([name, label]) => [name, dirOf(label)])),
  );
}
