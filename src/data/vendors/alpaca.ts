import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { RAW_BAR_HEADER } from '../schemas/equity-bars.js';
import { JsonClient, type JsonClientOptions, type RequestStats } from './http/json-client.js';

export const ALPACA_KEY_ENV = { id: 'APCA_API_KEY_ID', secret: 'APCA_API_SECRET_KEY' } as const;

const barsResponseSchema = z.object({
  bars: z.array(z.object({ t: z.string(), o: z.number(), h: z.number(), l: z.number(), c: z.number(), v: z.number(), n: z.number().optional(), vw: z.number().optional() })).nullable(),
  symbol: z.string(),
  next_page_token: z.string().nullable().optional(),
});

/**
 * Alpaca market data v2 daily bars: GET /v2/stocks/{symbol}/bars?timeframe=1Day, pages through
 * next_page_token, keys in the APCA-API-KEY-ID / APCA-API-SECRET-KEY headers.
 */
export class AlpacaBars {
  private readonly client: JsonClient;

  constructor(private readonly options: Omit<JsonClientOptions, 'headers'> & { baseUrl: string; keyId: string; secretKey: string; pageLimit: number; feed: string }) {
    this.client = new JsonClient({ ...options, headers: { 'APCA-API-KEY-ID': options.keyId, 'APCA-API-SECRET-KEY': options.secretKey, accept: 'application/json' } });
  }

  get stats(): RequestStats {
    return this.client.stats;
  }

  async writeDailyBars(symbol: string, from: string, to: string, outPath: string): Promise<number> {
    const byDate = new Map<string, string>();
    let token: string | null | undefined;
    do {
      const params = new URLSearchParams({ timeframe: '1Day', start: `${from}T00:00:00Z`, end: `${to}T23:59:59Z`, limit: String(this.options.pageLimit), adjustment: 'raw', feed: this.options.feed });
      if (token) params.set('page_token', token);
      const parsed = barsResponseSchema.safeParse(await this.client.getJson(`${this.options.baseUrl}/v2/stocks/${encodeURIComponent(symbol)}/bars?${params}`));
      if (!parsed.success) throw new Error(`alpaca: unexpected bars response for ${symbol}: ${parsed.error.issues[0]?.message}`);
      for (const b of parsed.data.bars ?? []) {
        // Daily bars are stamped at midnight New York: noon UTC after it is the session date.
        const date = new Date(Date.parse(b.t) + 12 * 3600_000).toISOString().slice(0, 10);
        byDate.set(date, `${symbol},${date},${b.o},${b.h},${b.l},${b.c},${b.v},${b.vw ?? ''},${b.n ?? ''}`);
      }
      token = parsed.data.next_page_token;
    } while (token);
    const rows = [...byDate.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, line]) => line);
    writeFileSync(outPath, `${[RAW_BAR_HEADER.join(','), ...rows].join('\n')}\n`);
    return rows.length;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
