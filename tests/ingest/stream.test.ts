import { afterEach, describe, expect, it } from 'vitest';
import { PolygonStream, type StreamEvent } from '../../src/data/vendors/polygon-stream.js';
import { PolygonVendor } from '../../src/data/vendors/polygon.js';
import { startPolygonServer } from '../../src/devservers/polygon-server.js';
import { seededMinuteBar } from '../../src/devservers/seeded-market.js';
import { startStreamServer, type StreamFaults } from '../../src/devservers/stream-server.js';

const KEY = 'ws_SECRET_key';
const T0 = Date.parse('2024-03-04T14:30:00Z');
const MIN = 60_000;

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the WebSocket minute-bar stream', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup(faults: StreamFaults = {}) {
    const feed = await startStreamServer({ seed: 5, apiKey: KEY, faults });
    const rest = await startPolygonServer({ seed: 5, apiKey: KEY });
    const vendor = new PolygonVendor({
      baseUrl: rest.url,
      apiKey: KEY,
      ratePerSecond: 1e6,
      concurrency: 2,
      pageLimit: 50,
      retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2000 },
      random: () => 0.5,
    });
    const events: StreamEvent[] = [];
    const stream = new PolygonStream({
      url: feed.url,
      apiKey: KEY,
      symbols: ['AAPL', 'MSFT'],
      backfill: (s, from, to) => vendor.minuteBars(s, from, to),
      reconnect: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 200 },
      random: () => 0.5,
      onEvent: (e) => events.push(e),
    });
    cleanups.push(
      () => feed.close(),
      () => rest.close(),
      () => vendor.close(),
      () => stream.stop(),
    );
    await stream.start();
    return { feed, rest, stream, events };
  }

  const expected = (minutes: number[]) =>
    ['AAPL', 'MSFT'].flatMap((sym) =>
      minutes.map((m) => {
        const b = seededMinuteBar(5, sym, T0 + m * MIN);
        return { symbol: sym, start: b.s, c: b.c, v: b.v };
      }),
    );
  const got = (stream: PolygonStream) =>
    stream.minuteBars().map((b) => ({ symbol: b.symbol, start: b.start, c: b.c, v: b.v }));

  it('authenticates, subscribes, and turns AM messages into one bar per symbol and minute', async () => {
    const { feed, stream } = await setup();
    for (let m = 0; m < 5; m++) feed.publishMinute(T0 + m * MIN);
    await until(() => stream.minuteBars().length === 10);
    expect(got(stream)).toEqual(expected([0, 1, 2, 3, 4]));
  });

  it('drops duplicates and places out-of-order messages, without a duplicate bar', async () => {
    const { feed, stream, events } = await setup({ duplicateEvery: 3, outOfOrderEvery: 4 });
    for (let m = 0; m < 12; m++) feed.publishMinute(T0 + m * MIN);
    feed.publishMinute(T0 + 12 * MIN);
    await until(() => stream.minuteBars().length >= 24);
    await stream.settled();
    const bars = got(stream).filter((b) => b.start < T0 + 12 * MIN);
    expect(bars).toEqual(expected([...Array(12).keys()]));
    expect(events.some((e) => e.kind === 'duplicate')).toBe(true);
  });

  it('reconnects after a dropped connection and backfills the missed minutes through REST', async () => {
    const { feed, stream, events } = await setup({ dropAfterMessages: 6 });
    feed.setOffline(true); // an outage begins as the feed drops us: reconnects fail for a while
    for (let m = 0; m < 3; m++) feed.publishMinute(T0 + m * MIN); // 6 messages, then the drop
    await until(() => events.some((e) => e.kind === 'disconnected'));
    feed.setFaults({});
    for (let m = 3; m < 6; m++) feed.publishMinute(T0 + m * MIN); // missed during the outage
    feed.setOffline(false);
    await until(() => events.filter((e) => e.kind === 'connected').length === 2);
    feed.publishMinute(T0 + 6 * MIN); // the jump from minute 2 to 6 shows the gap: 3-5 come from REST
    await until(
      () =>
        new Set(events.filter((e) => e.kind === 'backfilled').map((e) => e.kind === 'backfilled' && e.symbol)).size ===
        2,
    );
    await stream.settled();
    expect(got(stream)).toEqual(expected([0, 1, 2, 3, 4, 5, 6]));
    // Each symbol's gap covered at least the outage (the drop itself may lose a message in flight, widening it).
    for (const symbol of ['AAPL', 'MSFT']) {
      const fills = events.filter(
        (e): e is Extract<StreamEvent, { kind: 'backfilled' }> => e.kind === 'backfilled' && e.symbol === symbol,
      );
      expect(fills.some((e) => e.fromMs <= T0 + 3 * MIN && e.toMs >= T0 + 5 * MIN)).toBe(true);
    }
    expect(feed.connections).toBeGreaterThanOrEqual(2); // reconnected (attempts during the outage, if any, were dropped)
  });

  it('fails clearly when the key is refused', async () => {
    const feed = await startStreamServer({ seed: 5, apiKey: KEY });
    cleanups.push(() => feed.close());
    const stream = new PolygonStream({
      url: feed.url,
      apiKey: 'wrong',
      symbols: ['AAPL'],
      backfill: async () => [],
      reconnect: { baseDelayMs: 1, maxDelayMs: 1, maxAttempts: 0 },
      random: () => 0,
    });
    cleanups.push(() => stream.stop());
    await expect(stream.start()).rejects.toThrow(
      'polygon stream: authentication failed (the feed said: authentication failed); check POLYGON_API_KEY',
    );
  });
});

describe('live increments as a build target', () => {
  it("streams a session's minutes for a window, fills the morning through REST, and drops nothing", async () => {
    const { symlinkSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { REPO_ROOT, TestWorkspace } = await import('../helpers/workspace.js');
    const feed = await startStreamServer({ seed: 6, apiKey: KEY, faults: { duplicateEvery: 3 } });
    const rest = await startPolygonServer({ seed: 6, apiKey: KEY });
    const ws = new TestWorkspace({
      'quanto.pipeline.yaml': 'targets:\n  raw/live:\n    rule: ingest_polygon_live\n    config: configs/live.yaml\n',
      // A replay of 2024-03-04: the feed sends 10:00-10:02 New York; 09:30-09:59 must come from REST.
      'configs/live.yaml': `ws_url: ${feed.url}\nbase_url: ${rest.url}\nsymbols: [AAPL]\nwindow_seconds: 0.8\nsession: "2024-03-04"\nrate_per_second: 10000\nbase_delay_ms: 5\n`,
    });
    symlinkSync(join(REPO_ROOT, 'rules'), join(ws.root, 'rules'));
    symlinkSync(join(REPO_ROOT, 'src'), join(ws.root, 'src'));
    process.env.POLYGON_API_KEY = KEY;
    const tenAm = Date.parse('2024-03-04T15:00:00Z');
    const publisher = setInterval(() => {
      for (let m = 0; m < 3; m++) feed.publishMinute(tenAm + m * MIN);
    }, 100);
    try {
      const r = await ws.build('--jobs', '0');
      expect(r.code).toBe(0);
      const lines = ws.read('cache/out/raw/live/minute_bars.csv').trim().split('\n').slice(1);
      const starts = lines.map((l) => Date.parse(l.split(',')[1]!));
      expect(new Set(starts).size).toBe(starts.length); // no duplicate minutes
      expect(starts[0]).toBe(Date.parse('2024-03-04T14:30:00Z'));
      expect(starts).toHaveLength(30 + 3);
      expect(lines[30]).toBe(
        (() => {
          const b = seededMinuteBar(6, 'AAPL', tenAm);
          return `AAPL,2024-03-04T15:00:00.000Z,${b.o},${b.h},${b.l},${b.c},${b.v},${b.vw},`;
        })(),
      );
      const fetched = JSON.parse((await ws.cli('show', '//raw/live', '--json')).out).manifest.fetched;
      expect(fetched).toMatchObject({
        route: 'stream',
        clock: { session: '2024-03-04', is_session: true },
        streamed: 3,
      });
    } finally {
      clearInterval(publisher);
      delete process.env.POLYGON_API_KEY;
      await feed.close();
      await rest.close();
      ws.dispose();
    }
  });
});
