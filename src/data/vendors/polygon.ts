import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { RAW_BAR_HEADER } from '../schemas/equity-bars.js';
import { optionChainRowSchema, optionContractSchema } from '../schemas/options.js';
import { tickerMetadataSchema, type CorporateAction } from '../schemas/reference.js';
import type { TickerMetadata } from '../universe/universe.js';
import { JsonClient, redactUrl, type JsonClientOptions, type RequestStats } from './http/json-client.js';
import type { BarVendor, DailyBarRequest, FetchReport } from './vendor.js';

/** Polygon's aggregates response, as much of it as we read (zod: data entering from outside). */
const aggsResponseSchema = z.object({
  ticker: z.string().optional(),
  status: z.string(),
  resultsCount: z.number().optional(),
  results: z
    .array(z.object({ t: z.number(), o: z.number(), h: z.number(), l: z.number(), c: z.number(), v: z.number(), vw: z.number().optional(), n: z.number().optional() }))
    .optional(),
  next_url: z.string().optional(),
});

const listResponseSchema = z.object({ status: z.string(), results: z.array(z.unknown()).default([]), next_url: z.string().optional() });

/** A one-minute bar; `start` is epoch milliseconds (UTC). */
export interface MinuteBar {
  symbol: string;
  start: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  vw?: number;
  n?: number;
}

export interface PolygonOptions extends Omit<JsonClientOptions, 'headers'> {
  baseUrl: string;
  apiKey: string;
  pageLimit: number;
}

export const POLYGON_KEY_ENV = 'POLYGON_API_KEY';

/**
 * Polygon REST aggregates: GET /v2/aggs/ticker/{ticker}/range/1/day/{from}/{to}, cursor
 * pagination through next_url, the key in an Authorization header (never in a URL).
 */
export class PolygonVendor implements BarVendor {
  readonly name = 'polygon';
  readonly requiredEnv = [POLYGON_KEY_ENV] as const;
  private readonly client: JsonClient;

  constructor(private readonly options: PolygonOptions) {
    this.client = new JsonClient({ ...options, headers: { authorization: `Bearer ${options.apiKey}`, accept: 'application/json' } });
  }

  get stats(): RequestStats {
    return this.client.stats;
  }

  async writeDailyBars(request: DailyBarRequest, outPath: string): Promise<FetchReport> {
    if (!request.symbols || request.symbols.length === 0) throw new Error('polygon: name the symbols to fetch');
    if (!request.start || !request.end) throw new Error('polygon: give a start and an end date');
    const symbols = [...new Set(request.symbols)].sort();
    const perSymbol = await Promise.all(symbols.map((s) => this.dailyBars(s, request.start!, request.end!)));
    const lines = [RAW_BAR_HEADER.join(',')];
    let rows = 0;
    for (const [i, bars] of perSymbol.entries()) {
      for (const b of bars) {
        lines.push(`${symbols[i]},${b.date},${b.o},${b.h},${b.l},${b.c},${b.v},${b.vw ?? ''},${b.n ?? ''}`);
        rows += 1;
      }
    }
    writeFileSync(outPath, `${lines.join('\n')}\n`);
    return { rows, symbols: symbols.filter((_, i) => perSymbol[i]!.length > 0), sources: [{ name: `${this.options.baseUrl}/v2/aggs (${this.client.stats.pages} pages)` }] };
  }

  /** One symbol's daily bars from `from` to `to`, every page, in date order, each date once. */
  async dailyBars(symbol: string, from: string, to: string): Promise<{ date: string; o: number; h: number; l: number; c: number; v: number; vw?: number; n?: number }[]> {
    let url: string | undefined =
      `${this.options.baseUrl}/v2/aggs/ticker/${encodeURIComponent(symbol)}/range/1/day/${from}/${to}?adjusted=false&sort=asc&limit=${this.options.pageLimit}`;
    const byDate = new Map<string, { date: string; o: number; h: number; l: number; c: number; v: number; vw?: number; n?: number }>();
    while (url) {
      const parsed = aggsResponseSchema.safeParse(await this.client.getJson(url));
      if (!parsed.success) throw new Error(`polygon: unexpected aggregates response for ${symbol}: ${parsed.error.issues[0]?.message}`);
      for (const r of parsed.data.results ?? []) {
        // Daily windows start at midnight New York: noon UTC of that instant's day is the session date.
        const date = new Date(r.t + 12 * 3600_000).toISOString().slice(0, 10);
        byDate.set(date, { date, o: r.o, h: r.h, l: r.l, c: r.c, v: r.v, vw: r.vw, n: r.n });
      }
      url = parsed.data.next_url;
    }
    return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : 1));
  }

  /** Minute aggregates of one symbol whose start lies from `fromMs` to `toMs` (epoch ms), every page. */
  async minuteBars(symbol: string, fromMs: number, toMs: number): Promise<MinuteBar[]> {
    let url: string | undefined =
      `${this.options.baseUrl}/v2/aggs/ticker/${encodeURIComponent(symbol)}/range/1/minute/${fromMs}/${toMs}?adjusted=false&sort=asc&limit=${this.options.pageLimit}`;
    const bars: MinuteBar[] = [];
    while (url) {
      const parsed = aggsResponseSchema.safeParse(await this.client.getJson(url));
      if (!parsed.success) throw new Error(`polygon: unexpected aggregates response for ${symbol}: ${parsed.error.issues[0]?.message}`);
      for (const r of parsed.data.results ?? []) bars.push({ symbol, start: r.t, o: r.o, h: r.h, l: r.l, c: r.c, v: r.v, vw: r.vw, n: r.n });
      url = parsed.data.next_url;
    }
    return bars;
  }

  /** Every `results` item of a v3 list endpoint, following next_url. */
  async pages<T>(firstUrl: string): Promise<T[]> {
    const out: T[] = [];
    let url: string | undefined = firstUrl;
    while (url) {
      const body = listResponseSchema.safeParse(await this.client.getJson(url));
      if (!body.success) throw new Error(`polygon: unexpected list response from ${redactUrl(url)}: ${body.error.issues[0]?.message}`);
      out.push(...(body.data.results as T[]));
      url = body.data.next_url;
    }
    return out;
  }

  /** Splits and cash dividends of the symbols, from /v3/reference/splits and /v3/reference/dividends. */
  async corporateActions(symbols: string[] | undefined): Promise<CorporateAction[]> {
    if (!symbols) throw new Error('polygon: name the symbols whose corporate actions to fetch');
    const base = this.options.baseUrl;
    const actions: CorporateAction[] = [];
    for (const symbol of [...symbols].sort()) {
      const q = `ticker=${encodeURIComponent(symbol)}&limit=${Math.min(this.options.pageLimit, 1000)}`;
      for (const s of await this.pages<{ ticker: string; execution_date: string; split_from: number; split_to: number }>(`${base}/v3/reference/splits?${q}`)) {
        actions.push({ kind: 'split', symbol: s.ticker, ex_date: s.execution_date, ratio: s.split_to / s.split_from });
      }
      for (const d of await this.pages<{ ticker: string; ex_dividend_date: string; cash_amount: number; currency?: string }>(`${base}/v3/reference/dividends?${q}`)) {
        actions.push({ kind: 'dividend', symbol: d.ticker, ex_date: d.ex_dividend_date, amount: d.cash_amount, currency: (d.currency ?? 'USD').toUpperCase() });
      }
    }
    return actions;
  }

  /** Ticker metadata with listing histories: the list endpoint, then details for each listing date. */
  async tickers(symbols?: string[]): Promise<TickerMetadata[]> {
    const listed = await this.pages<{ ticker: string }>(`${this.options.baseUrl}/v3/reference/tickers?market=stocks&limit=${Math.min(this.options.pageLimit, 1000)}`);
    const wanted = symbols ? new Set(symbols) : undefined;
    const out: TickerMetadata[] = [];
    for (const { ticker } of listed.filter((t) => !wanted || wanted.has(t.ticker))) {
      const details = z
        .object({ results: z.object({ ticker: z.string(), name: z.string().nullable().optional(), primary_exchange: z.string(), currency_name: z.string(), type: z.string(), list_date: z.string(), delisted_utc: z.string().optional() }).passthrough() })
        .parse(await this.client.getJson(`${this.options.baseUrl}/v3/reference/tickers/${encodeURIComponent(ticker)}`)).results;
      out.push(
        tickerMetadataSchema.parse({
          symbol: details.ticker,
          name: details.name ?? null,
          exchange: details.primary_exchange,
          currency: details.currency_name.toUpperCase(),
          type: details.type,
          listed: details.list_date,
          delisted: details.delisted_utc ? details.delisted_utc.slice(0, 10) : null,
        }),
      );
    }
    return out.sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
  }

  /** Listed option contracts of an underlying as of a date. */
  async optionContracts(underlying: string, asOf: string): Promise<z.infer<typeof optionContractSchema>[]> {
    const rows = await this.pages<{ ticker: string; underlying_ticker: string; expiration_date: string; strike_price: number; contract_type: string; exercise_style: string; shares_per_contract: number }>(
      `${this.options.baseUrl}/v3/reference/options/contracts?underlying_ticker=${encodeURIComponent(underlying)}&as_of=${asOf}&limit=${Math.min(this.options.pageLimit, 1000)}`,
    );
    return rows.map((c) =>
      optionContractSchema.parse({
        contract: c.ticker, underlying: c.underlying_ticker, expiry: c.expiration_date, strike: c.strike_price,
        right: c.contract_type === 'call' ? 'C' : 'P', multiplier: c.shares_per_contract, style: c.exercise_style,
      }),
    );
  }

  /** The option chain snapshot of an underlying, as canonical chain rows dated `date`. */
  async optionChainSnapshot(underlying: string, date: string): Promise<z.infer<typeof optionChainRowSchema>[]> {
    type Snap = { details: { contract_type: string; expiration_date: string; strike_price: number }; last_quote?: { bid?: number; ask?: number }; day?: { volume?: number; close?: number }; open_interest?: number; implied_volatility?: number };
    const rows = await this.pages<Snap>(`${this.options.baseUrl}/v3/snapshot/options/${encodeURIComponent(underlying)}?limit=${Math.min(this.options.pageLimit, 250)}`);
    return rows.map((r) =>
      optionChainRowSchema.parse({
        date, underlying, expiry: r.details.expiration_date, strike: r.details.strike_price, right: r.details.contract_type === 'call' ? 'C' : 'P',
        bid: r.last_quote?.bid ?? 0, ask: r.last_quote?.ask ?? 0, last: r.day?.close ?? null, volume: r.day?.volume ?? 0,
        open_interest: r.open_interest ?? 0, vendor_iv: r.implied_volatility ?? null, source: 'vendor',
      }),
    );
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
