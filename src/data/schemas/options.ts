import { z } from 'zod';
import { isoDateSchema } from './iso-date.js';
import { tickerSchema } from './ticker.js';

/** Canonical options data, schema version 1. Synthetic rows say so in `source`. */
export const OPTIONS_SCHEMA_VERSION = 1;

const underlying = tickerSchema;
const money = z.number().finite().nonnegative();

export const optionRightSchema = z.enum(['C', 'P']);

export const optionContractSchema = z
  .object({
    contract: z.string().min(1).describe('OCC symbol, e.g. SPX   240119C04500000'),
    underlying,
    expiry: isoDateSchema,
    strike: z.number().finite().positive(),
    right: optionRightSchema,
    multiplier: z.number().int().positive().default(100),
    style: z.enum(['american', 'european']),
  })
  .strict();

export const optionChainRowSchema = z
  .object({
    date: isoDateSchema,
    underlying,
    expiry: isoDateSchema,
    strike: z.number().finite().positive(),
    right: optionRightSchema,
    bid: money,
    ask: money,
    last: money.nullable(),
    volume: z.number().int().nonnegative(),
    open_interest: z.number().int().nonnegative(),
    vendor_iv: z.number().finite().positive().nullable(),
    source: z.enum(['vendor', 'synthetic']),
  })
  .strict()
  .refine((r) => r.bid <= r.ask, { message: 'bid above ask' })
  .refine((r) => r.expiry >= r.date, { message: 'expired before the quote date' });

export const optionQuoteSchema = z
  .object({ ts: z.string().datetime(), contract: z.string().min(1), bid: money, ask: money, bid_size: z.number().int().nonnegative(), ask_size: z.number().int().nonnegative() })
  .strict()
  .refine((q) => q.bid <= q.ask, { message: 'bid above ask' });

export const optionTradeSchema = z
  .object({ ts: z.string().datetime(), contract: z.string().min(1), price: money, size: z.number().int().positive(), exchange: z.string().nullable() })
  .strict();
