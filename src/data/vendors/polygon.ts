import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { RAW_BAR_HEADER } from '../schemas/equity-bars.js';
import type { CorporateAction } from '../schemas/reference.js';
import { JsonClient, type JsonClientOptions, type RequestStats } from './http/json-client.js';
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

  async corporateActions(): Promise<CorporateAction[]> {
    return [];
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
