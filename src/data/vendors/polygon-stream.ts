import WebSocket from 'ws';
import { z } from 'zod';
import { sleep } from './http/limits.js';
import type { MinuteBar } from './polygon.js';

const MINUTE = 60_000;

const messageSchema = z.array(
  z.union([
    z.object({ ev: z.literal('status'), status: z.string(), message: z.string().optional() }),
    z.object({ ev: z.literal('AM'), sym: z.string(), o: z.number(), h: z.number(), l: z.number(), c: z.number(), v: z.number(), vw: z.number().optional(), s: z.number(), e: z.number() }),
    z.object({ ev: z.string() }).passthrough(),
  ]),
);

export interface StreamOptions {
  url: string;
  apiKey: string;
  symbols: string[];
  /** REST minute bars for a gap: [fromMs, toMs] of minute starts. */
  backfill: (symbol: string, fromMs: number, toMs: number) => Promise<MinuteBar[]>;
  reconnect: { baseDelayMs: number; maxDelayMs: number; maxAttempts: number };
  random: () => number;
  onEvent?: (event: StreamEvent) => void;
}

export type StreamEvent =
  | { kind: 'connected'; attempt: number }
  | { kind: 'disconnected'; code: number }
  | { kind: 'backfilled'; symbol: string; fromMs: number; toMs: number; bars: number }
  | { kind: 'duplicate'; symbol: string; start: number }
  | { kind: 'failed'; message: string };

/**
 * Polygon's WebSocket minute aggregates turned into minute bars (no ticks are kept): auth,
 * subscribe to AM.<ticker>, keep one bar per symbol and minute (duplicates dropped, late ones
 * placed where they belong), reconnect with backoff when the connection drops, and fill any
 * gap in a symbol's minutes through REST, so the bars end complete and without duplicates.
 */
export class PolygonStream {
  private readonly bars = new Map<string, Map<number, MinuteBar>>();
  /** The latest minute start seen per symbol, from the stream or a backfill. */
  private readonly latest = new Map<string, number>();
  private socket: WebSocket | undefined;
  private stopped = false;
  private attempts = 0;
  private backfills: Promise<void> = Promise.resolve();
  private ready: Promise<void> | undefined;
  /** Set when reconnecting gave up: the stream is over and its bars may have a gap at the end. */
  failure: Error | undefined;

  constructor(private readonly options: StreamOptions) {
    for (const s of options.symbols) this.bars.set(s, new Map());
  }

  /** Connects and subscribes; resolves when the subscription is confirmed. */
  start(): Promise<void> {
    this.ready = this.connect();
    return this.ready;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.socket?.close();
    await this.backfills;
  }

  /** Waits for backfills in flight: the bars are then complete up to the latest minute seen. */
  async settled(): Promise<void> {
    await this.backfills;
  }

  minuteBars(): MinuteBar[] {
    return [...this.bars.keys()].sort().flatMap((s) => [...this.bars.get(s)!.values()].sort((a, b) => a.start - b.start));
  }

  private connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.options.url);
      this.socket = socket;
      let subscribed = false;
      socket.on('message', (data) => {
        const parsed = messageSchema.safeParse(JSON.parse(String(data)));
        if (!parsed.success) return;
        for (const m of parsed.data) {
          if (m.ev === 'status') {
            const status = (m as { status: string }).status;
            if (status === 'connected') socket.send(JSON.stringify({ action: 'auth', params: this.options.apiKey }));
            else if (status === 'auth_success') socket.send(JSON.stringify({ action: 'subscribe', params: this.options.symbols.map((s) => `AM.${s}`).join(',') }));
            else if (status === 'auth_failed') {
              const said = (m as { message?: unknown }).message;
              reject(new Error(`polygon stream: authentication failed${typeof said === 'string' ? ` (the feed said: ${said})` : ''}; check POLYGON_API_KEY`));
            }
            else if (status === 'success' && !subscribed) {
              subscribed = true;
              this.options.onEvent?.({ kind: 'connected', attempt: this.attempts });
              this.attempts = 0;
              resolve();
            }
          } else if (m.ev === 'AM') this.take(m as { sym: string; o: number; h: number; l: number; c: number; v: number; vw?: number; s: number });
        }
      });
      socket.on('close', (code) => {
        this.options.onEvent?.({ kind: 'disconnected', code });
        if (!subscribed) reject(new Error(`polygon stream: the connection closed before the subscription was confirmed (code ${code})`));
        // An attempt that never got going is retried by the loop that made it; only a live
        // connection that drops starts a new loop.
        else if (!this.stopped) {
          void this.reconnect().catch((err: unknown) => {
            this.failure = err as Error;
            this.options.onEvent?.({ kind: 'failed', message: (err as Error).message });
          });
        }
      });
      socket.on('error', () => {
        /* 'close' follows and decides */
      });
    });
  }

  private async reconnect(): Promise<void> {
    while (!this.stopped) {
      this.attempts += 1;
      if (this.attempts > this.options.reconnect.maxAttempts) throw new Error(`polygon stream: gave up after ${this.options.reconnect.maxAttempts} reconnects`);
      const { baseDelayMs, maxDelayMs } = this.options.reconnect;
      await sleep(this.options.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** this.attempts));
      try {
        await this.connect();
        return;
      } catch {
        // try again
      }
    }
  }

  /** One aggregate: kept once; a jump past the next expected minute is backfilled through REST. */
  private take(m: { sym: string; o: number; h: number; l: number; c: number; v: number; vw?: number; s: number }): void {
    const store = this.bars.get(m.sym);
    if (!store) return;
    if (store.has(m.s)) {
      this.options.onEvent?.({ kind: 'duplicate', symbol: m.sym, start: m.s });
      return;
    }
    store.set(m.s, { symbol: m.sym, start: m.s, o: m.o, h: m.h, l: m.l, c: m.c, v: m.v, vw: m.vw });
    const last = this.latest.get(m.sym);
    if (last !== undefined && m.s > last + MINUTE) this.fillGap(m.sym, last + MINUTE, m.s - MINUTE);
    if (last === undefined || m.s > last) this.latest.set(m.sym, m.s);
  }

  private fillGap(symbol: string, fromMs: number, toMs: number): void {
    this.backfills = this.backfills.then(async () => {
      const store = this.bars.get(symbol)!;
      const missing = [];
      for (let t = fromMs; t <= toMs; t += MINUTE) if (!store.has(t)) missing.push(t);
      if (missing.length === 0) return;
      const bars = await this.options.backfill(symbol, missing[0]!, missing.at(-1)!);
      let added = 0;
      for (const b of bars) {
        if (!store.has(b.start)) {
          store.set(b.start, b);
          added += 1;
        }
      }
      this.options.onEvent?.({ kind: 'backfilled', symbol, fromMs: missing[0]!, toMs: missing.at(-1)!, bars: added });
    });
  }
}
