import { describe, expect, it } from 'vitest';
import { equityBarSchema } from '../../src/data/schemas/equity-bars.js';
import { optionChainRowSchema, optionContractSchema, optionQuoteSchema, optionTradeSchema } from '../../src/data/schemas/options.js';
import { corporateActionSchema, fundamentalSchema, tickerMetadataSchema } from '../../src/data/schemas/reference.js';

const messages = (r: { success: boolean; error?: { issues: { message: string; path: PropertyKey[] }[] } }) =>
  r.success ? [] : r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

const bar = {
  symbol: 'MSFT', traded_symbol: 'MSFT', date: '2003-02-18', ts: '2003-02-18T21:00:00Z', interval: '1d',
  open: 24.5, high: 25.1, low: 24.4, close: 24.96, volume: 1000, vwap: null, trades: null,
  vendor: 'embedded', split_factor: 1, adj_factor: 1,
};

describe('canonical schemas', () => {
  it('equity bars: accepts a valid bar, and a closes-only bar', () => {
    expect(equityBarSchema.safeParse(bar).success).toBe(true);
    expect(equityBarSchema.safeParse({ ...bar, open: null, high: null, low: null, volume: null }).success).toBe(true);
  });

  it('equity bars: rejects inconsistent OHLC, bad numbers, bad symbols, unknown keys', () => {
    expect(messages(equityBarSchema.safeParse({ ...bar, low: 25.5 }))).toContain(': low above high');
    expect(messages(equityBarSchema.safeParse({ ...bar, close: 26 }))).toContain(': open or close above high');
    expect(messages(equityBarSchema.safeParse({ ...bar, low: 24.97 }))).toContain(': low above open or close');
    expect(messages(equityBarSchema.safeParse({ ...bar, close: Number.NaN })).join()).toMatch(/close/);
    expect(messages(equityBarSchema.safeParse({ ...bar, volume: -1 })).join()).toMatch(/volume/);
    expect(messages(equityBarSchema.safeParse({ ...bar, symbol: 'msft' }))).toContain('symbol: upper-case ticker');
    expect(messages(equityBarSchema.safeParse({ ...bar, ts: '2003-02-18 16:00' })).join()).toMatch(/^ts:/);
    expect(messages(equityBarSchema.safeParse({ ...bar, interval: '2d' })).join()).toMatch(/^interval:/);
    expect(messages(equityBarSchema.safeParse({ ...bar, extra: 1 })).join()).toMatch(/extra/);
  });

  it('options: contracts, chains, quotes and trades', () => {
    expect(optionContractSchema.parse({ contract: 'SPX 240119C04500000', underlying: '^GSPC', expiry: '2024-01-19', strike: 4500, right: 'C', style: 'european' }).multiplier).toBe(100);
    const chain = { date: '2024-01-02', underlying: '^GSPC', expiry: '2024-01-19', strike: 4500, right: 'P', bid: 10, ask: 10.5, last: null, volume: 3, open_interest: 100, vendor_iv: null, source: 'synthetic' };
    expect(optionChainRowSchema.safeParse(chain).success).toBe(true);
    expect(messages(optionChainRowSchema.safeParse({ ...chain, bid: 11 }))).toContain(': bid above ask');
    expect(messages(optionChainRowSchema.safeParse({ ...chain, expiry: '2023-12-29' }))).toContain(': expired before the quote date');
    expect(messages(optionChainRowSchema.safeParse({ ...chain, right: 'X' })).join()).toMatch(/^right:/);
    expect(optionQuoteSchema.safeParse({ ts: '2024-01-02T15:00:00Z', contract: 'x', bid: 1, ask: 0.5, bid_size: 1, ask_size: 1 }).success).toBe(false);
    expect(optionTradeSchema.safeParse({ ts: '2024-01-02T15:00:00Z', contract: 'x', price: 1.25, size: 2, exchange: null }).success).toBe(true);
  });

  it('reference data: tickers, corporate actions, fundamentals', () => {
    const ticker = { symbol: 'SUNW', name: 'Sun Microsystems', exchange: 'XNAS', currency: 'USD', type: 'CS', listed: '1986-03-04', delisted: '2010-01-27' };
    expect(tickerMetadataSchema.safeParse(ticker).success).toBe(true);
    expect(messages(tickerMetadataSchema.safeParse({ ...ticker, delisted: '1980-01-01' }))).toContain(': delisted before listed');
    expect(corporateActionSchema.parse({ kind: 'split', symbol: 'MSFT', ex_date: '2003-02-18', ratio: 2 }).kind).toBe('split');
    expect(corporateActionSchema.safeParse({ kind: 'dividend', symbol: 'MSFT', ex_date: '2004-11-15', amount: 3, currency: 'USD' }).success).toBe(true);
    expect(corporateActionSchema.safeParse({ kind: 'rename', symbol: 'SUNW', new_symbol: 'JAVA', effective_date: '2007-08-27' }).success).toBe(true);
    expect(corporateActionSchema.safeParse({ kind: 'split', symbol: 'MSFT', ex_date: '2003-02-18', ratio: 0 }).success).toBe(false);
    expect(corporateActionSchema.safeParse({ kind: 'merger', symbol: 'MSFT' }).success).toBe(false);
    const f = { symbol: 'MSFT', field: 'revenue', value: 1, unit: 'USD', period_end: '2003-06-30', fiscal_period: '2003FY', report_date: '2003-07-17' };
    expect(fundamentalSchema.safeParse(f).success).toBe(true);
    expect(messages(fundamentalSchema.safeParse({ ...f, report_date: '2003-06-01' }))).toContain(': reported before the period ended');
  });
});
