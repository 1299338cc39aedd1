import { z } from 'zod';

/**
 * Pre-trade risk limits (configs/execution/*.yaml), the same for shadow replay and paper
 * trading. Fractions are of the account's equity at the decision.
 */
export const riskConfigSchema = z
  .object({
    /** Gross position value over equity an order may take the book to. */
    max_gross_leverage: z.number().positive().default(1),
    /** One symbol's position value over equity. */
    max_position_fraction: z.number().positive().max(10).default(0.25),
    /** The largest order, in currency. */
    max_order_notional: z.number().positive().default(250_000),
    /** The smallest order worth sending, in currency. */
    min_order_notional: z.number().min(0).default(100),
    /** A loss of this share of the day's starting equity halts trading (kill switch). */
    max_daily_loss: z.number().positive().max(1).default(0.05),
    /** Orders approved within any 60 seconds. */
    max_trades_per_minute: z.number().int().positive().default(120),
    /** An intent whose estimated price is further than this share from the last bar's close is rejected. */
    price_band: z.number().positive().default(0.1),
    /** Market data older than this aborts the run (paper trading; a replay's data is never stale by construction). */
    stale_after_seconds: z
      .number()
      .positive()
      .default(4 * 86_400),
    /** When the kill switch fires, also close every position. */
    flatten_on_kill: z.boolean().default(true),
  })
  .strict();

export type RiskConfig = z.infer<typeof riskConfigSchema>;
