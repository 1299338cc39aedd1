import { echoOfRequest } from './faults.js';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './listen.js';

/** What the next order submission does: succeed, or fail in one of the ways a broker fails. */
export type OrderScriptStep = 'ok' | 'slow_after_accept' | 'server_error' | 'rate_limited';

export interface AlpacaTradingServerOptions {
  keyId: string;
  secretKey: string;
  cash: number;
  /** The price market orders fill at, per symbol; an unknown symbol is rejected (422). */
  prices: Record<string, number>;
  /** immediate: filled when accepted; stepwise: new, then partially filled, then filled on successive reads. */
  fill?: 'immediate' | 'stepwise';
  /** Requests per rolling minute before 429s (Alpaca's is 200). */
  rateLimitPerMinute?: number;
  /** How long a slow response is held, in ms. */
  slowMs?: number;
  /** Error bodies (401, scripted 500) repeat the request's headers, keys included, as some proxies do. */
  echoRequest?: boolean;
}

interface OrderRecord {
  id: string;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  filled_qty: number;
  filled_avg_price: number | null;
  status: 'new' | 'partially_filled' | 'filled' | 'canceled' | 'rejected';
  created_at: string;
}

/**
 * A loopback server speaking Alpaca's trading API v2 for tests: /v2/account, /v2/orders (POST,
 * GET, GET by client_order_id, DELETE all, DELETE one), /v2/positions (GET, DELETE all), with
 * Alpaca's field names (numbers as strings), the order lifecycle new -> partially_filled ->
 * filled / canceled / rejected, 422 for a duplicate client_order_id, 403 for insufficient
 * buying power, 429 past the rate limit, and scripted 5xx, 429 and slow responses (a slow
 * response after the order was accepted is the case that tempts a client to send it twice).
 */
export async function startAlpacaTradingServer(o: AlpacaTradingServerOptions) {
  let cash = o.cash;
  const positions = new Map<string, number>();
  const orders = new Map<string, OrderRecord>();
  const byClientId = new Map<string, string>();
  const script: OrderScriptStep[] = [];
  const requests: number[] = [];
  const stats = { requests: 0, orderSubmissions: 0 };
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const wire = (r: OrderRecord) => ({
    id: r.id,
    client_order_id: r.client_order_id,
    created_at: r.created_at,
    updated_at: r.created_at,
    submitted_at: r.created_at,
    filled_at: r.status === 'filled' ? r.created_at : null,
    asset_id: `asset-${r.symbol}`,
    symbol: r.symbol,
    asset_class: 'us_equity',
    qty: String(r.qty),
    filled_qty: String(r.filled_qty),
    filled_avg_price: r.filled_avg_price === null ? null : String(r.filled_avg_price),
    order_class: '',
    order_type: 'market',
    type: 'market',
    side: r.side,
    time_in_force: 'day',
    status: r.status,
    extended_hours: false,
  });
  const fillTo = (r: OrderRecord, qty: number) => {
    const add = qty - r.filled_qty;
    if (add <= 0) return;
    const price = o.prices[r.symbol]!;
    const signed = r.side === 'buy' ? add : -add;
    cash -= signed * price;
    positions.set(r.symbol, (positions.get(r.symbol) ?? 0) + signed);
    r.filled_avg_price = price;
    r.filled_qty = qty;
    r.status = qty === r.qty ? 'filled' : 'partially_filled';
  };
  const advance = (r: OrderRecord) => {
    if (r.status === 'new') fillTo(r, Math.floor(r.qty / 2) > 0 ? Math.floor(r.qty / 2) : r.qty);
    else if (r.status === 'partially_filled') fillTo(r, r.qty);
  };
  const body = async (req: IncomingMessage) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };

  const echo = (req: IncomingMessage): string => (o.echoRequest ? ` (request: ${echoOfRequest(req)})` : '');
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    stats.requests++;
    if (req.headers['apca-api-key-id'] !== o.keyId || req.headers['apca-api-secret-key'] !== o.secretKey)
      return send(res, 401, { code: 40110000, message: `request is not authorized${echo(req)}` });
    const now = Date.now();
    while (requests.length > 0 && requests[0]! <= now - 60_000) requests.shift();
    if (o.rateLimitPerMinute !== undefined && requests.length >= o.rateLimitPerMinute)
      return send(res, 429, { code: 42910000, message: 'rate limit exceeded' }, { 'retry-after': '1' });
    requests.push(now);
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/v2/account') {
      return send(res, 200, {
        id: 'account-1',
        account_number: 'PA0000000',
        status: 'ACTIVE',
        currency: 'USD',
        cash: String(cash),
        buying_power: String(Math.max(0, cash)),
        equity: String(cash + [...positions].reduce((v, [s, q]) => v + q * o.prices[s]!, 0)),
        trading_blocked: false,
        pattern_day_trader: false,
      });
    }
    if (req.method === 'POST' && path === '/v2/orders') {
      stats.orderSubmissions++;
      const step = script.shift() ?? 'ok';
      if (step === 'server_error')
        return send(res, 500, { code: 50010000, message: `internal server error${echo(req)}` });
      if (step === 'rate_limited')
        return send(res, 429, { code: 42910000, message: 'rate limit exceeded' }, { 'retry-after': '1' });
      const b = await body(req);
      const clientOrderId = String(b.client_order_id ?? randomUUID());
      if (byClientId.has(clientOrderId))
        return send(res, 422, { code: 40010001, message: 'client_order_id must be unique' });
      const symbol = String(b.symbol ?? '');
      if (!(symbol in o.prices)) return send(res, 422, { code: 40010001, message: `asset "${symbol}" not found` });
      const qty = Number(b.qty);
      if (!(Number.isInteger(qty) && qty > 0))
        return send(res, 422, { code: 40010001, message: 'qty must be a positive integer' });
      const side = b.side === 'sell' ? 'sell' : 'buy';
      if (side === 'buy' && qty * o.prices[symbol]! > cash)
        return send(res, 403, { code: 40310000, message: 'insufficient buying power' });
      const r: OrderRecord = {
        id: randomUUID(),
        client_order_id: clientOrderId,
        symbol,
        side,
        qty,
        filled_qty: 0,
        filled_avg_price: null,
        status: 'new',
        created_at: new Date(now).toISOString(),
      };
      orders.set(r.id, r);
      byClientId.set(clientOrderId, r.id);
      if ((o.fill ?? 'immediate') === 'immediate') fillTo(r, qty);
      // Accepted and booked; the answer is what may be lost.
      if (step === 'slow_after_accept') await new Promise((resolve) => setTimeout(resolve, o.slowMs ?? 2000));
      return send(res, 200, wire(r));
    }
    if (req.method === 'GET' && path === '/v2/orders:by_client_order_id') {
      const id = byClientId.get(url.searchParams.get('client_order_id') ?? '');
      if (!id) return send(res, 404, { code: 40410000, message: 'order not found' });
      const r = orders.get(id)!;
      if (o.fill === 'stepwise') advance(r);
      return send(res, 200, wire(r));
    }
    if (req.method === 'GET' && path === '/v2/orders') {
      return send(res, 200, [...orders.values()].map(wire));
    }
    const one = /^\/v2\/orders\/([^/]+)$/.exec(path);
    if (one && req.method === 'GET') {
      const r = orders.get(one[1]!);
      if (!r) return send(res, 404, { code: 40410000, message: 'order not found' });
      if (o.fill === 'stepwise') advance(r);
      return send(res, 200, wire(r));
    }
    if (one && req.method === 'DELETE') {
      const r = orders.get(one[1]!);
      if (!r) return send(res, 404, { code: 40410000, message: 'order not found' });
      if (r.status === 'filled')
        return send(res, 422, { code: 42210000, message: 'order is already in "filled" state' });
      r.status = 'canceled';
      return send(res, 204, undefined);
    }
    if (req.method === 'DELETE' && path === '/v2/orders') {
      const open = [...orders.values()].filter((r) => r.status === 'new' || r.status === 'partially_filled');
      for (const r of open) r.status = 'canceled';
      return send(
        res,
        207,
        open.map((r) => ({ id: r.id, status: 200 })),
      );
    }
    if (req.method === 'GET' && path === '/v2/positions') {
      return send(
        res,
        200,
        [...positions]
          .filter(([, q]) => q !== 0)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([symbol, q]) => ({
            asset_id: `asset-${symbol}`,
            symbol,
            exchange: 'NYSE',
            asset_class: 'us_equity',
            qty: String(q),
            side: q > 0 ? 'long' : 'short',
            avg_entry_price: String(o.prices[symbol]),
            market_value: String(q * o.prices[symbol]!),
            current_price: String(o.prices[symbol]),
          })),
      );
    }
    if (req.method === 'DELETE' && path === '/v2/positions') {
      const closed = [...positions].filter(([, q]) => q !== 0);
      for (const [symbol, q] of closed) {
        cash += q * o.prices[symbol]!;
        positions.set(symbol, 0);
      }
      return send(
        res,
        207,
        closed.map(([symbol]) => ({ symbol, status: 200 })),
      );
    }
    return send(res, 404, { code: 40410000, message: 'not found' });
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { message: String(err) }));
  });
  const { url, close } = await listenOnLoopback(server);
  return {
    url,
    close,
    stats,
    /** Queues what the next order submissions do. */
    script: (...steps: OrderScriptStep[]) => void script.push(...steps),
    /** Orders as the server holds them. */
    orders: () => [...orders.values()],
    /** A trade made at the broker behind the session's back (what reconciliation must catch). */
    adjustPosition: (symbol: string, delta: number) => void positions.set(symbol, (positions.get(symbol) ?? 0) + delta),
  };
}
