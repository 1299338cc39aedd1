import { z } from 'zod';

/**
 * How a config names a strategy: `kind: <name>` for strategies/<name>.ts (the workspace's,
 * else the one Quanto ships), with the strategy's own settings beside it. Only `kind` is
 * checked here; the engine validates the rest with the strategy's schema when it plans.
 */
export const strategyRefSchema = z
  .object({
    kind: z
      .string()
      .regex(/^[a-z][a-z0-9_]*(\/[a-z][a-z0-9_]*)*$/, 'a strategy name, lower_snake_case: strategies/<kind>.ts'),
  })
  .loose()
  // For `quanto schemas`: the engine spells out one alternative per module of strategies/, each
  // kind beside its own settings (the engine's PLUGIN_SCHEMA_KEYWORD; the domain cannot import it).
  .meta({ 'x-quanto-plugin': { dir: 'strategies', key: 'kind' } });

export type StrategyRef = z.infer<typeof strategyRefSchema>;

/** The module a strategy name is looked for at. */
export const strategyModuleOf = (kind: string) => `strategies/${kind}`;

/** A strategy reference's own settings: everything beside `kind`. */
export function strategySettings(ref: StrategyRef): Record<string, unknown> {
  const { kind: _kind, ...settings } = ref;
  return settings;
}
