import { z } from 'zod';
import { costModelSchema, type CostModel } from '../costs/cost-model.js';
import { bracketSchema, type Bracket } from './account-config.js';
import { targetLabelSchema } from '../data/schemas/target-label.js';
import { sizingSchema, type Sizing } from '../strategy/sizing.js';
import { strategyRefSchema, type StrategyRef } from '../strategy/strategy-ref.js';

/** Where a backtest writes what it traded: the file a promotion of the backtest covers. */
export const BACKTESTED_STRATEGY_OUTPUT = 'strategy.json';

/**
 * What a backtest traded, exactly enough for a session to trade the same thing: the strategy
 * (its settings as parsed, its module and the digest of its sources), the bars and symbols it
 * traded, their adjustment, the cost model, the starting cash and the sizing. It is one of the backtest's
 * outputs, so a promotion of the backtest's outputs covers this very code and these settings:
 * an edit of the strategy's source changes this file, the outputs digest and so the promotion
 * (a shadow replay or a broker session of the edited strategy is refused until it is promoted).
 */
export const backtestedStrategySchema = z
  .object({
    format: z.literal('quanto-backtested-strategy/1'),
    strategy: strategyRefSchema,
    /** strategies/<kind>.ts, or quanto:strategies/<kind>.ts for one Quanto ships. */
    file: z.string().min(1),
    version: z.number().int().min(0),
    shape: z.enum(['vectorized', 'event_driven']),
    /** The digest of the module's sources, as the action key holds them. */
    source_digest: z.string().regex(/^[0-9a-f]{64}$/),
    from: targetLabelSchema,
    symbols: z.array(z.string().min(1)).min(1),
    adjust: z.enum(['none', 'splits', 'total']),
    costs: costModelSchema,
    initial_cash: z.number().positive(),
    /** How its decisions became positions. */
    sizing: sizingSchema,
    /** The exits on every position it opened, on the trading path (its `bracket:`), if any. */
    exits: bracketSchema.optional(),
  })
  .strict();

export type BacktestedStrategy = z.infer<typeof backtestedStrategySchema>;

/** The record of a backtest's strategy, from its config and what it loaded. */
export function backtestedStrategy(o: {
  strategy: StrategyRef;
  file: string;
  version: number;
  vectorized: boolean;
  sourceDigest: string;
  from: string;
  symbols: readonly string[];
  adjust: 'none' | 'splits' | 'total';
  costs: CostModel;
  initialCash: number;
  sizing: Sizing | undefined;
  exits: Bracket | undefined;
}): BacktestedStrategy {
  return {
    format: 'quanto-backtested-strategy/1',
    strategy: o.strategy,
    file: o.file,
    version: o.version,
    shape: o.vectorized ? 'vectorized' : 'event_driven',
    source_digest: o.sourceDigest,
    from: o.from,
    symbols: [...o.symbols],
    adjust: o.adjust,
    costs: o.costs,
    initial_cash: o.initialCash,
    sizing: o.sizing ?? { kind: 'target_weights' },
    ...(o.exits ? { exits: bracketSchema.parse(o.exits) } : {}),
  };
}

/** Reads a backtest's strategy record; a file that is not one says which backtest and what is wrong. */
export function parseBacktestedStrategy(backtest: string, text: string): BacktestedStrategy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${backtest}'s ${BACKTESTED_STRATEGY_OUTPUT} is not JSON: rebuild it`);
  }
  const parsed = backtestedStrategySchema.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `${backtest}'s ${BACKTESTED_STRATEGY_OUTPUT} is not a backtested strategy (${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}): is ${backtest} a backtest target?`,
    );
  return parsed.data;
}
