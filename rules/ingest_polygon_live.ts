import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseIsoDate } from '../src/data/calendar/civil-date.js';
import { exchangeCalendar } from '../src/data/calendar/exchange-calendar.js';
import { newYorkDate, newYorkTimeToUtc } from '../src/data/calendar/new-york-time.js';
import { RAW_BAR_HEADER } from '../src/data/schemas/equity-bars.js';
import { PolygonStream, type StreamEvent } from '../src/data/vendors/polygon-stream.js';
import { POLYGON_KEY_ENV, PolygonVendor } from '../src/data/vendors/polygon.js';
import { retryConfigShape, retryPolicyOf, seededRandom, tickerSchema } from '../src/data/vendors/shards.js';
import { defineRule } from '../src/engine/rule-api.js';
import { isoDateSchema } from '../src/data/schemas/iso-date.js';

/**
 * Live increments: today's minute bars from Polygon's WebSocket feed, listened to for a bounded
 * window, with everything since the session's open that the window did not see filled in
 * through REST minute aggregates. External, and keyed by the minute it ran in, so each build
 * takes the next increment; the clock it read is in the manifest.
 */
export default defineRule({
  name: 'ingest_polygon_live',
  version: 1,
  description: "today's minute bars from the Polygon WebSocket feed, gaps filled through REST",
  external: true,
  config: z
    .object({
      ws_url: z.string().default('wss://socket.polygon.io/stocks'),
      base_url: z.string().url().default('https://api.polygon.io'),
      symbols: z.array(tickerSchema).min(1),
      window_seconds: z.number().positive().default(60),
      /** The session the increments belong to; default: today in New York (read from the clock). */
      session: isoDateSchema.optional(),
      rate_per_second: z.number().positive().default(5),
      ...retryConfigShape,
    })
    .strict(),
  outputs: ['minute_bars.csv'],
  freshness: (_c, _p, nowMs) => String(Math.floor(nowMs / 60_000)),
  async run(ctx) {
    const key = process.env[POLYGON_KEY_ENV];
    if (!key)
      throw new Error(
        `${POLYGON_KEY_ENV} is not set: export it to build ${ctx.label} (the key is read from the environment only)`,
      );
    const c = ctx.config;
    const random = seededRandom(ctx.seed);
    const startedAt = Date.now(); // an external rule may read the clock; it is recorded below
    const today = c.session ?? newYorkDate(startedAt);
    const calendar = exchangeCalendar('XNYS');
    const isSession = calendar.isSession(parseIsoDate(today));
    const open = Date.parse(newYorkTimeToUtc(today, '09:30'));
    const early = calendar.earlyCloses(parseIsoDate(today), parseIsoDate(today))[0]?.close;
    const close = Date.parse(newYorkTimeToUtc(today, early ?? calendar.regularClose));
    const rest = new PolygonVendor({
      baseUrl: c.base_url.replace(/\/$/, ''),
      apiKey: key,
      ratePerSecond: c.rate_per_second,
      concurrency: 2,
      pageLimit: 5000,
      retry: retryPolicyOf(c),
      random,
    });
    const events: StreamEvent[] = [];
    const stream = new PolygonStream({
      url: c.ws_url,
      apiKey: key,
      symbols: c.symbols,
      backfill: (symbol, from, to) => rest.minuteBars(symbol, from, to),
      reconnect: { baseDelayMs: c.base_delay_ms, maxDelayMs: c.max_delay_ms, maxAttempts: c.max_retries },
      random,
      onEvent: (e) => events.push(e),
    });
    try {
      await stream.start();
      await new Promise((r) => setTimeout(r, c.window_seconds * 1000));
      await stream.stop();
      if (stream.failure) throw new Error(`the feed was lost and did not come back: ${stream.failure.message}`);
      // What the session had before the window (from the open to the first streamed minute,
      // or to the close) comes from REST; on a day without a session there is nothing before.
      const bars = stream.minuteBars();
      const out = new Map(bars.map((b) => [`${b.symbol} ${b.start}`, b]));
      for (const symbol of isSession ? c.symbols : []) {
        const first = Math.min(...bars.filter((b) => b.symbol === symbol).map((b) => b.start), Date.now(), close);
        if (first - 60_000 >= open)
          for (const b of await rest.minuteBars(symbol, open, first - 60_000))
            if (!out.has(`${symbol} ${b.start}`)) out.set(`${symbol} ${b.start}`, b);
      }
      const rows = [...out.values()].sort((a, b) =>
        a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.start - b.start,
      );
      const lines = rows.map(
        (b) =>
          `${b.symbol},${new Date(b.start).toISOString()},${b.o},${b.h},${b.l},${b.c},${b.v},${b.vw ?? ''},${b.n ?? ''}`,
      );
      const path = join(ctx.outDir, 'minute_bars.csv');
      writeFileSync(path, `${[RAW_BAR_HEADER.join(','), ...lines].join('\n')}\n`);
      return {
        rows: { 'minute_bars.csv': rows.length },
        fetched: {
          vendor: 'polygon',
          route: 'stream',
          clock: { started: new Date(startedAt).toISOString(), session: today, is_session: isSession },
          window_seconds: c.window_seconds,
          streamed: bars.length,
          reconnects: events.filter((e) => e.kind === 'connected').length - 1,
          backfilled: events.filter((e) => e.kind === 'backfilled').length,
          duplicates: events.filter((e) => e.kind === 'duplicate').length,
          rest: rest.stats,
          raw_sha256: createHash('sha256').update(readFileSync(path)).digest('hex'),
        },
      };
    } finally {
      await stream.stop();
      await rest.close();
    }
  },
});
