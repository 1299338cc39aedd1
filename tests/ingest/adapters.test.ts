import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlpacaBars } from '../../src/data/vendors/alpaca.js';
import { redactUrl, VendorError } from '../../src/data/vendors/http/json-client.js';
import { Semaphore, TokenBucket } from '../../src/data/vendors/http/limits.js';
import { PolygonFlatFiles } from '../../src/data/vendors/polygon-flatfiles.js';
import { PolygonVendor } from '../../src/data/vendors/polygon.js';
import { startAlpacaServer } from '../../src/devservers/alpaca-server.js';
import { startFlatFileServer } from '../../src/devservers/flatfile-server.js';
import { startPolygonServer } from '../../src/devservers/polygon-server.js';
import { seededDailyBars } from '../../src/devservers/seeded-market.js';

const retry = { maxRetries: 8, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2000 };

describe('vendor adapters against the local servers (in process)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'quanto-adapters-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('Polygon: all pages, every fault retried, unknown tickers empty, bad requests permanent', async () => {
    // Faults land on every 3rd, 5th and 7th request the server sees; three symbols share the
    // stream, so the retry budget is generous enough that no request can run out of it.
    const server = await startPolygonServer({
      seed: 2,
      apiKey: 'k',
      faults: { rateLimitEvery: 3, retryAfterSeconds: 0, serverErrorEvery: 5, truncateEvery: 7 },
    });
    const vendor = new PolygonVendor({
      baseUrl: server.url,
      apiKey: 'k',
      ratePerSecond: 1e6,
      concurrency: 2,
      pageLimit: 10,
      retry: { ...retry, maxRetries: 30 },
      random: () => 0.5,
    });
    try {
      const report = await vendor.writeDailyBars(
        { symbols: ['MSFT', 'AAPL', 'NOSUCH'], start: '2022-01-01', end: '2022-03-31' },
        join(dir, 'poly.csv'),
      );
      expect(report.rows).toBe(2 * 62);
      expect(report.symbols).toEqual(['AAPL', 'MSFT']);
      const lines = readFileSync(join(dir, 'poly.csv'), 'utf8').trim().split('\n');
      expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join())).toEqual([
        ...seededDailyBars(2, 'AAPL', '2022-01-01', '2022-03-31').map((b) => `AAPL,${b.date}`),
        ...seededDailyBars(2, 'MSFT', '2022-01-01', '2022-03-31').map((b) => `MSFT,${b.date}`),
      ]);
      expect(Object.keys(vendor.stats.retries).sort()).toEqual(['http-500', 'rate-limited', 'truncated-body']);
      await expect(vendor.dailyBars('AAPL', '2022-03-31', '2022-01-01')).rejects.toThrow(VendorError);
      await expect(
        vendor.writeDailyBars({ symbols: [], start: '2022-01-01', end: '2022-01-02' }, join(dir, 'x.csv')),
      ).rejects.toThrow(/name the symbols/);
    } finally {
      await vendor.close();
      await server.close();
    }
  });

  it('Polygon: gives up after the retry budget, naming the last failure', async () => {
    const server = await startPolygonServer({ seed: 2, apiKey: 'k', faults: { serverErrorEvery: 1 } });
    const vendor = new PolygonVendor({
      baseUrl: server.url,
      apiKey: 'k',
      ratePerSecond: 1e6,
      concurrency: 1,
      pageLimit: 10,
      retry: { ...retry, maxRetries: 2 },
      random: () => 0,
    });
    try {
      await expect(vendor.dailyBars('AAPL', '2022-01-03', '2022-01-07')).rejects.toThrow(
        /HTTP 500: internal error \(after 2 retries\)$/,
      );
    } finally {
      await vendor.close();
      await server.close();
    }
  });

  it('Alpaca: pages through next_page_token, faults retried', async () => {
    const server = await startAlpacaServer({
      seed: 2,
      keyId: 'id',
      secretKey: 's',
      faults: { rateLimitEvery: 2, retryAfterSeconds: 0, truncateEvery: 3 },
    });
    const alpaca = new AlpacaBars({
      baseUrl: server.url,
      keyId: 'id',
      secretKey: 's',
      ratePerSecond: 1e6,
      concurrency: 1,
      pageLimit: 9,
      feed: 'sip',
      retry,
      random: () => 0.5,
    });
    try {
      expect(await alpaca.writeDailyBars('SPY', '2022-01-01', '2022-03-31', join(dir, 'alpaca.csv'))).toBe(62);
      expect(alpaca.stats.pages).toBe(7);
      const line = readFileSync(join(dir, 'alpaca.csv'), 'utf8').split('\n')[1]!;
      expect(line.startsWith('SPY,2022-01-03,')).toBe(true);
    } finally {
      await alpaca.close();
      await server.close();
    }
  });

  it('flat files: S3 path-style with faults, checked by decompression', async () => {
    const server = await startFlatFileServer({
      seed: 2,
      bucket: 'flatfiles',
      accessKeyId: 'AK',
      tickers: ['AAA', 'BBB'],
      faults: { serverErrorEvery: 3, truncateEvery: 4 },
    });
    const files = new PolygonFlatFiles(
      {
        kind: 's3',
        endpoint: server.url,
        bucket: 'flatfiles',
        region: 'us-east-1',
        accessKeyId: 'AK',
        secretAccessKey: 'secret',
      },
      { concurrency: 2, maxRetries: 8, baseDelayMs: 1, random: () => 0.5 },
    );
    try {
      const r = await files.writeDailyBars('2022-01-03', '2022-01-14', undefined, join(dir, 'flat.csv'));
      expect(r).toEqual({ rows: 20, sessions: 10 });
      expect(files.stats.retries).toBeGreaterThan(0);
      expect(readFileSync(join(dir, 'flat.csv'), 'utf8').split('\n')[1]).toMatch(/^AAA,2022-01-03,/);
    } finally {
      files.close();
      await server.close();
    }
  });

  it('limits: the token bucket paces requests; the semaphore bounds concurrency; URLs lose their credentials', async () => {
    let clock = 0;
    const bucket = new TokenBucket(1000, 2, () => clock);
    await bucket.take();
    await bucket.take();
    const third = bucket.take();
    clock = 5;
    await third;
    const sem = new Semaphore(2);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        const release = await sem.acquire();
        peak = Math.max(peak, ++active);
        await new Promise((r) => setTimeout(r, 5));
        active -= 1;
        release();
      }),
    );
    expect(peak).toBe(2);
    expect(redactUrl('https://api.polygon.io/v2/aggs?apiKey=SECRET&limit=5')).toBe(
      'https://api.polygon.io/v2/aggs?apiKey=REDACTED&limit=5',
    );
  });
});

describe('slow responses', () => {
  it('time out, are retried, and the data ends complete', async () => {
    const server = await startPolygonServer({ seed: 2, apiKey: 'k', faults: { slowEvery: 3, slowMs: 400 } });
    const vendor = new PolygonVendor({
      baseUrl: server.url,
      apiKey: 'k',
      ratePerSecond: 1e6,
      concurrency: 1,
      pageLimit: 10,
      retry: { maxRetries: 6, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 150 },
      random: () => 0.5,
    });
    try {
      const bars = await vendor.dailyBars('AAPL', '2022-01-01', '2022-03-31');
      expect(bars).toHaveLength(62);
      expect(new Set(bars.map((b) => b.date)).size).toBe(62);
      expect(vendor.stats.retries.timeout).toBeGreaterThan(0);
    } finally {
      await vendor.close();
      await server.close();
    }
  });
});
