import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './listen.js';
import { FaultInjector, type FaultPlan } from './faults.js';
import { seededDailyBar, seededDailyBars, seededMinuteBar } from './seeded-market.js';
import { SEEDED_SPLITS, SEEDED_TICKERS, seededDividends, seededOptionContracts } from './seeded-reference.js';

/** One page of a list and, when more remain, Polygon's next_url (a cursor, no key). */
function paginate<T>(all: T[], url: URL, base: string): { results: T[]; count: number; next_url?: string } {
  const limit = Math.max(1, Math.min(Number(url.searchParams.get('limit') ?? 10), 1000));
  const cursor = url.searchParams.get('cursor');
  const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString()) : 0;
  const results = all.slice(offset, offset + limit);
  const page: { results: T[]; count: number; next_url?: string } = { results, count: results.length };
  if (offset + limit < all.length) {
    const next = new URL(`${base}${url.pathname}`);
    for (const [k, v] of url.searchParams) if (k !== 'apiKey' && k !== 'cursor') next.searchParams.set(k, v);
    next.searchParams.set('cursor', Buffer.from(String(offset + limit)).toString('base64url'));
    page.next_url = next.toString();
  }
  return page;
}

/** The v3 reference and snapshot endpoints: tickers, splits, dividends, option contracts and chains. */
function referenceResponse(url: URL, options: PolygonServerOptions, base: string): Record<string, unknown> | null {
  const q = url.searchParams;
  const asOf = options.snapshotDate ?? '2024-03-04';
  if (url.pathname === '/v3/reference/tickers') {
    const all = SEEDED_TICKERS.filter((t) => !q.get('ticker') || t.ticker === q.get('ticker')).map((t) => ({
      ticker: t.ticker,
      name: t.name,
      market: 'stocks',
      locale: 'us',
      primary_exchange: t.primary_exchange,
      type: t.type,
      active: !t.delisted_utc,
      currency_name: t.currency_name,
      ...(t.delisted_utc ? { delisted_utc: t.delisted_utc } : {}),
    }));
    return paginate(all, url, base);
  }
  const details = /^\/v3\/reference\/tickers\/([^/]+)$/.exec(url.pathname);
  if (details) {
    const t = SEEDED_TICKERS.find((x) => x.ticker === decodeURIComponent(details[1]!));
    return t ? { results: { ...t, market: 'stocks', locale: 'us', active: !t.delisted_utc } } : null;
  }
  if (url.pathname === '/v3/reference/splits')
    return paginate(
      SEEDED_SPLITS.filter((s) => !q.get('ticker') || s.ticker === q.get('ticker')),
      url,
      base,
    );
  if (url.pathname === '/v3/reference/dividends') {
    const tickers = q.get('ticker') ? [q.get('ticker')!] : SEEDED_TICKERS.map((t) => t.ticker);
    return paginate(
      tickers.flatMap((t) => seededDividends(t, 2019, 2024)),
      url,
      base,
    );
  }
  if (url.pathname === '/v3/reference/options/contracts') {
    const underlying = q.get('underlying_ticker');
    if (!underlying) return paginate([], url, base);
    return paginate(seededOptionContracts(options.seed, underlying, q.get('as_of') ?? asOf).contracts, url, base);
  }
  const snapshot = /^\/v3\/snapshot\/options\/([^/]+)$/.exec(url.pathname);
  if (snapshot) {
    const underlying = decodeURIComponent(snapshot[1]!);
    const { spot, contracts } = seededOptionContracts(options.seed, underlying, asOf);
    const results = contracts.map((c, i) => {
      const intrinsic = Math.max(0, c.contract_type === 'call' ? spot - c.strike_price : c.strike_price - spot);
      const mid = Math.round((intrinsic + spot * 0.02) * 100) / 100;
      return {
        details: {
          contract_type: c.contract_type,
          exercise_style: c.exercise_style,
          expiration_date: c.expiration_date,
          shares_per_contract: 100,
          strike_price: c.strike_price,
          ticker: c.ticker,
        },
        last_quote: { bid: Math.max(0, mid - 0.05), ask: mid + 0.05 },
        day: { volume: 10 + i * 3, close: mid },
        open_interest: 100 + i * 17,
        implied_volatility: 0.2 + (0.01 * Math.abs(c.strike_price - spot)) / spot,
        underlying_asset: { ticker: underlying, price: seededDailyBar(options.seed, underlying, asOf).c },
      };
    });
    return paginate(results, url, base);
  }
  return null;
}

/** Every minute start (epoch ms, on the minute) from `from` to `to`, both included. */
function minuteStarts(from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = Math.ceil(from / 60_000) * 60_000; t <= to; t += 60_000) out.push(t);
  return out;
}

export interface PolygonServerOptions {
  seed: number;
  apiKey: string;
  /** The day option snapshots and contract lists are "as of" (there is no live market here). */
  snapshotDate?: string;
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
  // next_url links point back at this server, whose port is known once it listens.
  let listening = { url: '', close: async () => {} };
  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => send(res, 500, { status: 'ERROR', error: String(err) }));
  });
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (faults.delayMs > 0) await new Promise((r) => setTimeout(r, faults.delayMs));
    const id = `req-${++requestId}`;
    const key = url.searchParams.get('apiKey') ?? req.headers.authorization?.replace(/^Bearer /, '');
    if (key !== options.apiKey)
      return send(res, 401, { status: 'ERROR', request_id: id, error: `Unknown API Key${faults.echo(req)}` });
    const fault = faults.next();
    const slow = faults.delayFor() - faults.delayMs;
    if (slow > 0) await new Promise((r) => setTimeout(r, slow));
    if (fault === 'rate-limit') {
      res.setHeader('Retry-After', String(faults.retryAfterSeconds));
      return send(res, 429, {
        status: 'ERROR',
        request_id: id,
        error: "You've exceeded the maximum requests per minute",
      });
    }
    if (fault === 'server-error')
      return send(res, 500, { status: 'ERROR', request_id: id, error: `internal error${faults.echo(req)}` });
    if (url.pathname.startsWith('/v3/')) {
      const reference = referenceResponse(url, options, listening.url);
      if (!reference) return send(res, 404, { status: 'NOT_FOUND', request_id: id, message: 'Not found' });
      const text = JSON.stringify({ ...reference, status: 'OK', request_id: id });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(fault === 'truncate' ? text.slice(0, text.length >> 1) : text);
      return;
    }
    const m =
      /^\/v2\/aggs\/ticker\/([^/]+)\/range\/(\d+)\/(day|minute|hour)\/(\d{4}-\d{2}-\d{2}|\d{13})\/(\d{4}-\d{2}-\d{2}|\d{13})$/.exec(
        url.pathname,
      );
    if (!m) return send(res, 404, { status: 'NOT_FOUND', request_id: id, message: 'Not found' });
    const [, tickerRaw, multiplier, timespan, from, to] = m;
    const ticker = decodeURIComponent(tickerRaw!);
    const minutes = timespan === 'minute' && /^\d{13}$/.test(from!) && /^\d{13}$/.test(to!);
    if (multiplier !== '1' || (timespan !== 'day' && !minutes)) {
      return send(res, 400, {
        status: 'ERROR',
        request_id: id,
        error: `served here: 1/day between dates and 1/minute between epoch milliseconds, not ${multiplier}/${timespan} ${from}..${to}`,
      });
    }
    if (minutes ? Number(to) < Number(from) : to! < from!)
      return send(res, 400, { status: 'ERROR', request_id: id, error: "The 'to' date must be after the 'from' date" });
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 5000), options.maxLimit ?? 50_000);
    if (!Number.isInteger(limit) || limit < 1)
      return send(res, 400, { status: 'ERROR', request_id: id, error: 'limit must be a positive integer' });
    const cursor = url.searchParams.get('cursor');
    const all =
      ticker === 'NOSUCH'
        ? []
        : minutes
          ? minuteStarts(Number(from), Number(to)).map((start) => ({
              ...seededMinuteBar(options.seed, ticker, start),
              t: start,
            }))
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
      const next = new URL(`${listening.url}${url.pathname}`);
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
  listening = await listenOnLoopback(server);
  return { ...listening, server, faults };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
