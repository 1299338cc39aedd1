import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultInjector, type FaultPlan } from './faults.js';
import { seededDailyBars, seededMinuteBar } from './seeded-market.js';

/** Every minute start (epoch ms, on the minute) from `from` to `to`, both included. */
function minuteStarts(from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = Math.ceil(from / 60_000) * 60_000; t <= to; t += 60_000) out.push(t);
  return out;
}

export interface PolygonServerOptions {
  seed: number;
  apiKey: string;
  faults?: FaultPlan;
  /** Page size cap, like the real API's limit (max 50,000). */
  maxLimit?: number;
}

export interface RunningServer {
  url: string;
  server: Server;
  faults: FaultInjector;
  close(): Promise<void>;
}

/**
 * A loopback server speaking Polygon's REST aggregates wire format from seeded data:
 * GET /v2/aggs/ticker/{ticker}/range/{multiplier}/{timespan}/{from}/{to}?adjusted&sort&limit,
 * authenticated by `Authorization: Bearer KEY` or `apiKey=KEY`, paginated through next_url.
 */
export async function startPolygonServer(options: PolygonServerOptions): Promise<RunningServer> {
  const faults = new FaultInjector(options.faults);
  let requestId = 0;
  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => send(res, 500, { status: 'ERROR', error: String(err) }));
  });
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (faults.delayMs > 0) await new Promise((r) => setTimeout(r, faults.delayMs));
    const id = `req-${++requestId}`;
    const key = url.searchParams.get('apiKey') ?? req.headers.authorization?.replace(/^Bearer /, '');
    if (key !== options.apiKey) return send(res, 401, { status: 'ERROR', request_id: id, error: 'Unknown API Key' });
    const fault = faults.next();
    if (fault === 'rate-limit') {
      res.setHeader('Retry-After', String(faults.retryAfterSeconds));
      return send(res, 429, { status: 'ERROR', request_id: id, error: "You've exceeded the maximum requests per minute" });
    }
    if (fault === 'server-error') return send(res, 500, { status: 'ERROR', request_id: id, error: 'internal error' });
    const m = /^\/v2\/aggs\/ticker\/([^/]+)\/range\/(\d+)\/(day|minute|hour)\/(\d{4}-\d{2}-\d{2}|\d{13})\/(\d{4}-\d{2}-\d{2}|\d{13})$/.exec(url.pathname);
    if (!m) return send(res, 404, { status: 'NOT_FOUND', request_id: id, message: 'Not found' });
    const [, tickerRaw, multiplier, timespan, from, to] = m;
    const ticker = decodeURIComponent(tickerRaw!);
    const minutes = timespan === 'minute' && /^\d{13}$/.test(from!) && /^\d{13}$/.test(to!);
    if (multiplier !== '1' || (timespan !== 'day' && !minutes)) {
      return send(res, 400, { status: 'ERROR', request_id: id, error: `served here: 1/day between dates and 1/minute between epoch milliseconds, not ${multiplier}/${timespan} ${from}..${to}` });
    }
    if (minutes ? Number(to) < Number(from) : to! < from!) return send(res, 400, { status: 'ERROR', request_id: id, error: "The 'to' date must be after the 'from' date" });
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 5000), options.maxLimit ?? 50_000);
    if (!Number.isInteger(limit) || limit < 1) return send(res, 400, { status: 'ERROR', request_id: id, error: 'limit must be a positive integer' });
    const cursor = url.searchParams.get('cursor');
    const all =
      ticker === 'NOSUCH'
        ? []
        : minutes
          ? minuteStarts(Number(from), Number(to)).map((start) => ({ ...seededMinuteBar(options.seed, ticker, start), t: start }))
          : seededDailyBars(options.seed, ticker, from!, to!);
    const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString()) : 0;
    const page = all.slice(offset, offset + limit);
    const adjusted = url.searchParams.get('adjusted') !== 'false';
    const body: Record<string, unknown> = {
      ticker,
      queryCount: page.length,
      resultsCount: page.length,
      adjusted,
      results: page.map((b) => ({ v: b.v, vw: b.vw, o: b.o, c: b.c, h: b.h, l: b.l, t: b.t, n: b.n })),
      status: 'OK',
      request_id: id,
    };
    if (page.length === 0) delete body.results;
    if (offset + limit < all.length) {
      // Like Polygon, next_url carries a cursor and no key: the client adds its credentials again.
      const next = new URL(`${serverUrl()}${url.pathname}`);
      next.searchParams.set('cursor', Buffer.from(String(offset + limit)).toString('base64url'));
      next.searchParams.set('adjusted', String(adjusted));
      next.searchParams.set('sort', 'asc');
      next.searchParams.set('limit', String(limit));
      body.next_url = next.toString();
    }
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(fault === 'truncate' ? text.slice(0, Math.floor(text.length / 2)) : text);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const serverUrl = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: serverUrl(),
    server,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
