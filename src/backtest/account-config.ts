import { z } from 'zod';

/**
 * How the event-driven engine treats cash, margin and orders the market cannot fill at once.
 * Kept apart from the cost model: costs are what a fill pays, this is what the account allows.
 */
export const accountSchema = z
  .object({
    initial_cash: z.number().positive().default(1_000_000),
    /** Gross position value over equity an order may take the account to (2 is Reg T initial margin). */
    max_leverage: z.number().positive().default(2),
    /**
     * Equity under this share of gross position value at a close is a margin call: open orders
     * are cancelled and every position is closed on the next execution bar. 0 turns it off.
     */
    maintenance_margin: z.number().min(0).max(1).default(0.25),
    /** What happens to the part of an order the participation cap left unfilled. */
    unfilled: z.enum(['carry', 'cancel']).default('cancel'),
  })
  .strict();

export type AccountConfig = z.infer<typeof accountSchema>;

/**
 * Exits attached to an order, armed when it opens a position: a stop-loss and a take-profit as
 * fractions of the fill price, a stop `stop_atr` ATRs (over `atr_window` bars, as of the
 * decision) from it, a trailing stop a fraction below the best close since the fill (above, for
 * a short), and a time exit `max_bars` bars after the fill. The tightest stop binds.
 */
export const bracketSchema = z
  .object({
    stop_loss: z.number().gt(0).lt(1).optional(),
    take_profit: z.number().gt(0).optional(),
    trailing_stop: z.number().gt(0).lt(1).optional(),
    stop_atr: z.number().positive().optional(),
    atr_window: z.number().int().min(2).default(14),
    max_bars: z.number().int().min(1).optional(),
  })
  .strict();

export type Bracket = z.input<typeof bracketSchema>;
