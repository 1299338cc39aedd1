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
  type: 'market' | 'limit' | 'stop';
  /** oco: a take-profit (limit_price) and a stop-loss (stop_price) on one order, the first reached filling. */
  order_class: '' | 'oco';
  limit_price: number | null;
  stop_price: number | null;
  filled_qty: number;
  filled_avg_price: number | null;
  status: 'new' | 'partially_filled' | 'filled' | 'canceled' | 'rejected';
  created_at: string;
}

/** Alpaca's JSON error body. */
const error = (code: number, message: string) => ({ code, message });

/** An order as Alpaca sends it: numbers as strings, its timestamps, its asset. */
function wireOrder(r: OrderRecord) {
  return {
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
    order_class: r.order_class,
    order_type: r.type,
    type: r.type,
    limit_price: r.limit_price === null ? null : String(r.limit_price),
    stop_price: r.stop_price === null ? null : String(r.stop_price),
    side: r.side,
    time_in_force: 'day',
    status: r.status,
    extended_hours: false,
  };
}

/** A reply: status, JSON body (undefined: none) and extra headers. */
interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}
const reply = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body,
  ...(headers ? { headers } : {}),
});
const RATE_LIMITED = reply(429, error(42910000, 'rate limit exceeded'), { 'retry-after': '1' });

/** The paper account behind the server: cash, positions and orders, and how orders fill. */
class PaperAccount {
  cash: number;
  readonly positions = new Map<string, number>();
  readonly orders = new Map<string, OrderRecord>();
  readonly byClientId = new Map<string, string>();

  constructor(private readonly o: AlpacaTradingServerOptions) {
    this.cash = o.cash;
  }

  account() {
    return {
      id: 'account-1',
      account_number: 'PA0000000',
      status: 'ACTIVE',
      currency: 'USD',
      cash: String(this.cash),
      buying_power: String(Math.max(0, this.cash)),
      equity: String(this.cash + [...this.positions].reduce((v, [s, q]) => v + q * this.o.prices[s]!, 0)),
      trading_blocked: false,
      pattern_day_trader: false,
    };
  }

  /** Validates and books a market order; the reply when it is refused. */
  submit(b: Record<string, unknown>, nowMs: number): OrderRecord | Reply {
    const clientOrderId = String(b.client_order_id ?? randomUUID());
    if (this.byClientId.has(clientOrderId)) return reply(422, error(40010001, 'client_order_id must be unique'));
    const symbol = String(b.symbol ?? '');
    if (!(symbol in this.o.prices)) return reply(422, error(40010001, `asset "${symbol}" not found`));
    const qty = Number(b.qty);
    if (!(Number.isInteger(qty) && qty > 0)) return reply(422, error(40010001, 'qty must be a positive integer'));
    const side = b.side === 'sell' ? 'sell' : 'buy';
    const type =
      b.type === 'limit' || b.type === 'stop' ? b.type : b.type === undefined || b.type === 'market' ? 'market' : null;
    if (type === null) return reply(422, error(40010001, `order type "${String(b.type)}" is not supported`));
    const priceOf = (v: unknown) => (v === undefined || v === null ? null : Number(v));
    // An OCO carries its legs' prices as Alpaca's wire does: take_profit.limit_price and stop_loss.stop_price.
    const oco = b.order_class === 'oco';
    const leg = (key: string) => (b[key] ?? {}) as Record<string, unknown>;
    const limitPrice = priceOf(oco ? leg('take_profit').limit_price : b.limit_price);
    const stopPrice = priceOf(oco ? leg('stop_loss').stop_price : b.stop_price);
    if (oco && !(limitPrice! > 0 && stopPrice! > 0))
      return reply(422, error(40010001, 'an oco order needs take_profit.limit_price and stop_loss.stop_price'));
    if (type === 'limit' && !(limitPrice! > 0)) return reply(422, error(40010001, 'limit_price is required'));
    if (type === 'stop' && !(stopPrice! > 0)) return reply(422, error(40010001, 'stop_price is required'));
    if (side === 'buy' && !oco && qty * (limitPrice ?? this.o.prices[symbol]!) > this.cash)
      return reply(403, error(40310000, 'insufficient buying power'));
    const r: OrderRecord = {
      id: randomUUID(),
      client_order_id: clientOrderId,
      symbol,
      side,
      qty,
      type,
      order_class: oco ? 'oco' : '',
      limit_price: limitPrice,
      stop_price: stopPrice,
      filled_qty: 0,
      filled_avg_price: null,
      status: 'new',
      created_at: new Date(nowMs).toISOString(),
    };
    this.orders.set(r.id, r);
    this.byClientId.set(clientOrderId, r.id);
    if ((this.o.fill ?? 'immediate') === 'immediate' && this.marketable(r)) this.fillTo(r, qty);
    return r;
  }

  /** Whether an order can fill at the symbol's price now: always at market; a limit at or better than its price; a stop once the price is at or through it. */
  private marketable(r: OrderRecord): boolean {
    const price = this.o.prices[r.symbol]!;
    const buy = r.side === 'buy';
    if (r.order_class === 'oco')
      return buy
        ? price >= r.stop_price! || price <= r.limit_price!
        : price <= r.stop_price! || price >= r.limit_price!;
    if (r.type === 'limit') return buy ? price <= r.limit_price! : price >= r.limit_price!;
    if (r.type === 'stop') return buy ? price >= r.stop_price! : price <= r.stop_price!;
    return true;
  }

  /** An order as read now: a stepwise account moves it one step along its lifecycle per read. */
  read(r: OrderRecord): OrderRecord {
    if (this.o.fill === 'stepwise' && this.marketable(r)) {
      if (r.status === 'new') this.fillTo(r, Math.floor(r.qty / 2) > 0 ? Math.floor(r.qty / 2) : r.qty);
      else if (r.status === 'partially_filled') this.fillTo(r, r.qty);
    }
    return r;
  }

  cancelAll(): OrderRecord[] {
    const open = [...this.orders.values()].filter((r) => r.status === 'new' || r.status === 'partially_filled');
    for (const r of open) r.status = 'canceled';
    return open;
  }

  openPositions() {
    const { prices } = this.o;
    return [...this.positions]
      .filter(([, q]) => q !== 0)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([symbol, q]) => ({
        asset_id: `asset-${symbol}`,
        symbol,
        exchange: 'NYSE',
        asset_class: 'us_equity',
        qty: String(q),
        side: q > 0 ? 'long' : 'short',
        avg_entry_price: String(prices[symbol]),
        market_value: String(q * prices[symbol]!),
        current_price: String(prices[symbol]),
      }));
  }

  /** Closes every position at its price; returns the symbols closed. */
  closeAll(): string[] {
    const closed = [...this.positions].filter(([, q]) => q !== 0);
    for (const [symbol, q] of closed) {
      this.cash += q * this.o.prices[symbol]!;
      this.positions.set(symbol, 0);
    }
    return closed.map(([symbol]) => symbol);
  }

  private fillTo(r: OrderRecord, qty: number): void {
    const add = qty - r.filled_qty;
    if (add <= 0) return;
    const price = this.o.prices[r.symbol]!;
    const signed = r.side === 'buy' ? add : -add;
    this.cash -= signed * price;
    this.positions.set(r.symbol, (this.positions.get(r.symbol) ?? 0) + signed);
    r.filled_avg_price = price;
    r.filled_qty = qty;
    r.status = qty === r.qty ? 'filled' : 'partially_filled';
  }
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
  const paper = new PaperAccount(o);
  const script: OrderScriptStep[] = [];
  const requests: number[] = [];
  const stats = { requests: 0, orderSubmissions: 0 };
  const echo = (req: IncomingMessage): string => (o.echoRequest ? ` (request: ${echoOfRequest(req)})` : '');

  const submitOrder = async (req: IncomingMessage, now: number): Promise<Reply> => {
    stats.orderSubmissions++;
    const step = script.shift() ?? 'ok';
    if (step === 'server_error') return reply(500, error(50010000, `internal server error${echo(req)}`));
    if (step === 'rate_limited') return RATE_LIMITED;
    const booked = paper.submit(await jsonBody(req), now);
    if (!('id' in booked)) return booked;
    // Accepted and booked; the answer is what may be lost.
    if (step === 'slow_after_accept') await new Promise((resolve) => setTimeout(resolve, o.slowMs ?? 2000));
    return reply(200, wireOrder(booked));
  };

  const route = async (req: IncomingMessage, url: URL, now: number): Promise<Reply> => {
    const path = url.pathname;
    const one = /^\/v2\/orders\/([^/]+)$/.exec(path);
    switch (`${req.method} ${one ? '/v2/orders/:id' : path}`) {
      case 'GET /v2/account':
        return reply(200, paper.account());
      case 'POST /v2/orders':
        return submitOrder(req, now);
      case 'GET /v2/orders:by_client_order_id': {
        const id = paper.byClientId.get(url.searchParams.get('client_order_id') ?? '');
        if (!id) return reply(404, error(40410000, 'order not found'));
        return reply(200, wireOrder(paper.read(paper.orders.get(id)!)));
      }
      case 'GET /v2/orders':
        return reply(200, [...paper.orders.values()].map(wireOrder));
      case 'GET /v2/orders/:id': {
        const r = paper.orders.get(one![1]!);
        if (!r) return reply(404, error(40410000, 'order not found'));
        return reply(200, wireOrder(paper.read(r)));
      }
      case 'DELETE /v2/orders/:id': {
        const r = paper.orders.get(one![1]!);
        if (!r) return reply(404, error(40410000, 'order not found'));
        if (r.status === 'filled') return reply(422, error(42210000, 'order is already in "filled" state'));
        r.status = 'canceled';
        return reply(204, undefined);
      }
      case 'DELETE /v2/orders':
        return reply(
          207,
          paper.cancelAll().map((r) => ({ id: r.id, status: 200 })),
        );
      case 'GET /v2/positions':
        return reply(200, paper.openPositions());
      case 'DELETE /v2/positions':
        return reply(
          207,
          paper.closeAll().map((symbol) => ({ symbol, status: 200 })),
        );
      default:
        return reply(404, error(40410000, 'not found'));
    }
  };

  const handle = async (req: IncomingMessage): Promise<Reply> => {
    stats.requests++;
    if (req.headers['apca-api-key-id'] !== o.keyId || req.headers['apca-api-secret-key'] !== o.secretKey)
      return reply(401, error(40110000, `request is not authorized${echo(req)}`));
    const now = Date.now();
    while (requests.length > 0 && requests[0]! <= now - 60_000) requests.shift();
    if (o.rateLimitPerMinute !== undefined && requests.length >= o.rateLimitPerMinute) return RATE_LIMITED;
    requests.push(now);
    return route(req, new URL(req.url ?? '/', 'http://x'), now);
  };

  const server = createServer((req, res) => {
    handle(req)
      .catch((err: unknown) => reply(500, { message: String(err) }))
      .then((r) => send(res, r));
  });
  const { url, close } = await listenOnLoopback(server);
  return {
    url,
    close,
    stats,
    /** Queues what the next order submissions do. */
    script: (...steps: OrderScriptStep[]) => void script.push(...steps),
    /** Orders as the server holds them. */
    orders: () => [...paper.orders.values()],
    /** A trade made at the broker behind the session's back (what reconciliation must catch). */
    adjustPosition: (symbol: string, delta: number) =>
      void paper.positions.set(symbol, (paper.positions.get(symbol) ?? 0) + delta),
  };
}

function send(res: ServerResponse, r: Reply): void {
  res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
  res.end(r.body === undefined ? '' : JSON.stringify(r.body));
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}
