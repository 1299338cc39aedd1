import { z } from 'zod';
import { isoDateSchema } from './iso-date.js';
import { tickerSchema } from './ticker.js';

/** Canonical reference data, schema version 1: tickers, corporate actions, fundamentals. */
export const REFERENCE_SCHEMA_VERSION = 1;

const ticker = tickerSchema;

export const tickerMetadataSchema = z
  .object({
    symbol: ticker,
    name: z.string().nullable(),
    exchange: z.string().min(1),
    currency: z.string().length(3),
    type: z.enum(['CS', 'ETF', 'ADR', 'INDEX', 'PFD', 'FUND']),
    listed: isoDateSchema,
    delisted: isoDateSchema.nullable(),
  })
  .strict()
  .refine((t) => t.delisted === null || t.delisted >= t.listed, { message: 'delisted before listed' });

export const splitSchema = z
  .object({ kind: z.literal('split'), symbol: ticker, ex_date: isoDateSchema, ratio: z.number().finite().positive().describe('new shares per old share: 2 for a 2-for-1') })
  .strict();

export const dividendSchema = z
  .object({ kind: z.literal('dividend'), symbol: ticker, ex_date: isoDateSchema, amount: z.number().finite().positive(), currency: z.string().length(3) })
  .strict();

export const renameSchema = z.object({ kind: z.literal('rename'), symbol: ticker, new_symbol: ticker, effective_date: isoDateSchema }).strict();

export const corporateActionSchema = z.discriminatedUnion('kind', [splitSchema, dividendSchema, renameSchema]);
export type CorporateAction = z.infer<typeof corporateActionSchema>;
export type Split = z.infer<typeof splitSchema>;
export type Dividend = z.infer<typeof dividendSchema>;
export type Rename = z.infer<typeof renameSchema>;

/** As-reported fundamentals: a value is knowable from its report date, not its period end. */
export const fundamentalSchema = z
  .object({
    symbol: ticker,
    field: z.string().min(1),
    value: z.number().finite(),
    unit: z.string().min(1),
    period_end: isoDateSchema,
    fiscal_period: z.string().regex(/^\d{4}(Q[1-4]|FY)$/),
    report_date: isoDateSchema,
  })
  .strict()
  .refine((f) => f.report_date >= f.period_end, { message: 'reported before the period ended' });
