import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { seededMinuteBar } from './seeded-market.js';

export interface StreamFaults {
  /** Close every connection after it has been sent this many aggregate messages. */
  dropAfterMessages?: number;
  /** Send every Nth aggregate twice. */
  duplicateEvery?: number;
  /** Hold back every Nth aggregate and send it after the next one. */
  outOfOrderEvery?: number;
  /** A failed auth's status message repeats the auth message it got, key included, as a debug gateway might. */
  echoAuth?: boolean;
}

/**
 * A loopback WebSocket feed in Polygon's format: status messages on connect, auth and subscribe;
 * then minute aggregates `{ev:"AM", sym, v, o, c, h, l, vw, s, e}` (ms) for subscribed tickers,
 * one batch each time the test calls publishMinute(start). Faults: dropped connections,
 * duplicated and out-of-order messages.
 */
export async function startStreamServer(options: { seed: number; apiKey: string; faults?: StreamFaults }) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const clients = new Map<WebSocket, { authed: boolean; symbols: Set<string>; sent: number; held?: object }>();
  let connections = 0;
  let aggregates = 0;
  let offline = false;
  wss.on('connection', (socket) => {
    connections += 1;
    // An outage: connections are accepted and dropped at once, as a flaky network would.
    if (offline) {
      socket.terminate();
      return;
    }
    const state = { authed: false, symbols: new Set<string>(), sent: 0 } as {
      authed: boolean;
      symbols: Set<string>;
      sent: number;
      held?: object;
    };
    clients.set(socket, state);
    socket.send(JSON.stringify([{ ev: 'status', status: 'connected', message: 'Connected Successfully' }]));
    socket.on('message', (data) => {
      let msg: { action?: string; params?: string };
      try {
        msg = JSON.parse(String(data)) as { action?: string; params?: string };
      } catch {
        return;
      }
      if (msg.action === 'auth') {
        state.authed = msg.params === options.apiKey;
        socket.send(
          JSON.stringify([
            {
              ev: 'status',
              status: state.authed ? 'auth_success' : 'auth_failed',
              message: state.authed
                ? 'authenticated'
                : `authentication failed${faults.echoAuth ? ` for ${JSON.stringify(msg)}` : ''}`,
            },
          ]),
        );
        if (!state.authed) socket.close(1008, 'authentication failed');
      } else if (msg.action === 'subscribe' && state.authed) {
        for (const p of (msg.params ?? '').split(',')) if (p.startsWith('AM.')) state.symbols.add(p.slice(3));
        socket.send(JSON.stringify([{ ev: 'status', status: 'success', message: `subscribed to: ${msg.params}` }]));
      }
    });
    socket.on('close', () => clients.delete(socket));
  });
  let faults = options.faults ?? {};
  return {
    /** While offline, every new connection is dropped at once. */
    setOffline(value: boolean): void {
      offline = value;
    },
    setFaults(next: StreamFaults): void {
      faults = next;
    },
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    get connections() {
      return connections;
    },
    /** Sends the aggregates of the minute starting at `startMs` to every subscriber. */
    publishMinute(startMs: number): void {
      for (const [socket, state] of clients) {
        if (!state.authed) continue;
        for (const sym of [...state.symbols].sort()) {
          const b = seededMinuteBar(options.seed, sym, startMs);
          const message = {
            ev: 'AM',
            sym,
            v: b.v,
            av: b.v,
            op: b.o,
            vw: b.vw,
            o: b.o,
            c: b.c,
            h: b.h,
            l: b.l,
            a: b.vw,
            z: 10,
            s: b.s,
            e: b.e,
          };
          aggregates += 1;
          if (faults.outOfOrderEvery && aggregates % faults.outOfOrderEvery === 0 && !state.held) {
            state.held = message;
            continue;
          }
          const batch: object[] = [message];
          if (state.held) {
            batch.push(state.held);
            state.held = undefined;
          }
          if (faults.duplicateEvery && aggregates % faults.duplicateEvery === 0) batch.push(message);
          socket.send(JSON.stringify(batch));
          state.sent += 1;
          if (faults.dropAfterMessages && state.sent >= faults.dropAfterMessages) {
            socket.terminate(); // a dropped connection, not a polite close
            break;
          }
        }
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of clients.keys()) socket.terminate();
        wss.close(() => resolve());
      }),
  };
}
