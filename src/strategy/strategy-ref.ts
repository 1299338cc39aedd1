import { z } from 'zod';
import { targetLabelSchema } from '../data/schemas/target-label.js';

/**
 * How a config names a strategy: `kind: <name>` for strategies/<name>.ts (the workspace's,
 * else the one Quanto ships), with the strategy's own settings beside it and, under `data:`,
 * the targets it reads beyond the bars it trades (a feature set, a trained model), by the names
 * the strategy declares. Only `kind` and `data` are checked here; the engine validates the rest
 * with the strategy's schema when it plans (a grid search's block, strategyBlockSchema, is
 * checked point by point when it runs instead).
 */
export const strategyBlockSchema = z
  .object({
    kind: z
      .string()
      .regex(/^[a-z][a-z0-9_]*(\/[a-z][a-z0-9_]*)*$/, 'a strategy name, lower_snake_case: strategies/<kind>.ts'),
    /** The targets the strategy reads, by the names it declares (`data:` of its definition): each is a dep of the target. */
    data: z.record(z.string(), targetLabelSchema).optional(),
  })
  .loose();

export const strategyRefSchema = strategyBlockSchema
  // For `quanto schemas`: the engine spells out one alternative per module of strategies/, each
  // kind beside its own settings (the engine's PLUGIN_SCHEMA_KEYWORD; the domain cannot import it).
  .meta({ 'x-quanto-plugin': { dir: 'strategies', key: 'kind' } });

export type StrategyRef = z.infer<typeof strategyRefSchema>;

/** The module a strategy name is looked for at. */
export const strategyModuleOf = (kind: string) => `strategies/${kind}`;

/** A strategy reference's own settings: everything beside `kind` and `data`. */
export function strategySettings(ref: StrategyRef): Record<string, unknown> {
  const { kind: _kind, data: _data, ...settings } = ref;
  return settings;
}

/** The targets a strategy reference reads (its `data:`), sorted by name: deps of whatever runs it. */
export function strategyDataLabels(ref: StrategyRef | undefined): string[] {
  return Object.entries(ref?.data ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, label]) => label);
}
