import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './listen.js';
import { FaultInjector, type FaultPlan } from './faults.js';
import { seededDailyBars } from './seeded-market.js';

export interface AlpacaServerOptions {
  seed: number;
  keyId: string;
  secretKey: string;
  faults?: FaultPlan;
  /** Make this vendor's closes differ from Polygon's by this factor, so reconciliation is visible. */
  priceFactor?: number;
}

/**
 * A loopback server speaking Alpaca's market data v2 bars format from the same seeded market:
 * GET /v2/stocks/{symbol}/bars?timeframe=1Day&start&end&limit&page_token, authenticated by the
 * APCA-API-KEY-ID and APCA-API-SECRET-KEY headers, paginated by next_page_token.
 */
export async function startAlpacaServer(options: AlpacaServerOptions) {
  const faults = new FaultInjector(options.faults);
  const f = options.priceFactor ?? 1;
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (faults.delayMs > 0) await new Promise((r) => setTimeout(r, faults.delayMs));
    if (req.headers['apca-api-key-id'] !== options.keyId || req.headers['apca-api-secret-key'] !== options.secretKey)
      return send(res, 401, { message: `unauthorized.${faults.echo(req)}` });
    const fault = faults.next();
    if (fault === 'rate-limit') {
      res.setHeader('Retry-After', String(faults.retryAfterSeconds));
      return send(res, 429, { message: 'too many requests.' });
    }
    if (fault === 'server-error') return send(res, 500, { message: `internal server error${faults.echo(req)}` });
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/v2\/stocks\/([^/]+)\/bars$/.exec(url.pathname);
    if (!m) return send(res, 404, { message: 'Not Found' });
    const symbol = decodeURIComponent(m[1]!);
    if (url.searchParams.get('timeframe') !== '1Day')
      return send(res, 422, { message: 'invalid timeframe: only 1Day is served here' });
    const start = url.searchParams.get('start')?.slice(0, 10);
    const end = url.searchParams.get('end')?.slice(0, 10);
    if (!start || !end) return send(res, 422, { message: 'start and end are required' });
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 1000), 10_000);
    const offset = url.searchParams.get('page_token')
      ? Number(Buffer.from(url.searchParams.get('page_token')!, 'base64url').toString())
      : 0;
    const all = seededDailyBars(options.seed, symbol, start, end);
    const page = all.slice(offset, offset + limit);
    const text = JSON.stringify({
      bars: page.map((b) => ({
        t: new Date(b.t).toISOString().replace('.000Z', 'Z'),
        o: b.o * f,
        h: b.h * f,
        l: b.l * f,
        c: b.c * f,
        v: b.v,
        n: b.n,
        vw: b.vw * f,
      })),
      symbol,
      next_page_token: offset + limit < all.length ? Buffer.from(String(offset + limit)).toString('base64url') : null,
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(fault === 'truncate' ? text.slice(0, text.length >> 1) : text);
  };
  const server = createServer(
    (req, res) => void handle(req, res).catch((e: unknown) => send(res, 500, { message: String(e) })),
  );
  return { ...(await listenOnLoopback(server)), faults };
}
