/**
 * npm run bench:ingest — REST ingestion against the local Polygon server: requests per second
 * through the Polygon adapter (pagination, JSON validation, rate limiter, retry machinery) at
 * the configured concurrency, beside the ceiling measured in the same run: a bare undici client
 * fetching the same pages at the same concurrency, doing nothing with them.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Agent, request } from 'undici';
import { parseIsoDate } from '../src/data/calendar/civil-date.js';
import { nyseSessions } from '../src/data/calendar/nyse.js';
import { canonicalizeEquityBars } from '../src/data/canonicalize/equity-bars.js';
import { openDuckDb, sqlString } from '../src/data/store/duckdb.js';
import { dayAggsKey, PolygonFlatFiles } from '../src/data/vendors/polygon-flatfiles.js';
import { dayAggsCsv } from '../src/devservers/flatfile-server.js';
import { PolygonVendor } from '../src/data/vendors/polygon.js';
import { startPolygonServer } from '../src/devservers/polygon-server.js';
import { median } from './stats.js';

const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const PAGE = 25;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function main(): Promise<void> {
  const key = 'bench-key';
  const server = await startPolygonServer({ seed: 1, apiKey: key });
  const symbols = Array.from({ length: SYMBOLS }, (_, i) => `S${String(i).padStart(4, '0')}`);
  const ours: number[] = [];
  const bare: number[] = [];
  let requests = 0;
  try {
    for (let r = 0; r < RUNS; r++) {
      // Ours: every page of every symbol for 2023, through the adapter.
      const vendor = new PolygonVendor({
        baseUrl: server.url,
        apiKey: key,
        ratePerSecond: 1e9,
        concurrency: CONCURRENCY,
        pageLimit: PAGE,
        retry: { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 100, timeoutMs: 10_000 },
        random: Math.random,
      });
      let t = performance.now();
      const next = symbols[Symbol.iterator]();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let s = next.next(); !s.done; s = next.next())
            await vendor.dailyBars(s.value, '2023-01-01', '2023-12-31');
        }),
      );
      const seconds = (performance.now() - t) / 1000;
      requests = vendor.stats.requests;
      ours.push(requests / seconds);
      await vendor.close();

      // Ceiling: the same URLs, fetched and discarded.
      const urls: string[] = [];
      for (const s of symbols)
        for (let p = 0; p * PAGE < 250; p++) {
          const cursor = p === 0 ? '' : `&cursor=${Buffer.from(String(p * PAGE)).toString('base64url')}`;
          urls.push(
            `${server.url}/v2/aggs/ticker/${s}/range/1/day/2023-01-01/2023-12-31?adjusted=false&sort=asc&limit=${PAGE}${cursor}`,
          );
        }
      const agent = new Agent({ connections: CONCURRENCY });
      const queue = urls[Symbol.iterator]();
      t = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let u = queue.next(); !u.done; u = queue.next()) {
            const res = await request(u.value, { headers: { authorization: `Bearer ${key}` }, dispatcher: agent });
            await res.body.arrayBuffer();
          }
        }),
      );
      bare.push(urls.length / ((performance.now() - t) / 1000));
      await agent.close();
    }
  } finally {
    await server.close();
  }
  console.log(
    `ingest benchmark: ${SYMBOLS} symbols x one year of daily bars in pages of ${PAGE} (${requests} requests), concurrency ${CONCURRENCY}, loopback, median of ${RUNS}`,
  );
  console.log('');
  console.log('| client | requests/s |');
  console.log('|---|---|');
  console.log(
    `| quanto Polygon adapter (pagination, validation, limiter) | ${Math.round(median(ours)).toLocaleString('en-US')} |`,
  );
  console.log(`| bare undici client, same pages (ceiling) | ${Math.round(median(bare)).toLocaleString('en-US')} |`);
  console.log('');
  console.log(
    `quanto / ceiling: ${(median(ours) / median(bare)).toFixed(2)}; requirement >= 50 req/s, aim >= 1,000 on loopback`,
  );
  await flatFiles();
}

const FLAT_TICKERS = Number(process.env.BENCH_FLAT_TICKERS ?? 2000);
const FLAT_START = process.env.BENCH_FLAT_START ?? '2023-01-01';
const FLAT_END = process.env.BENCH_FLAT_END ?? '2023-12-31';

/** Flat files: csv.gz day files → validated canonical Parquet, beside DuckDB reading the same files straight to Parquet. */
async function flatFiles(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'quanto-bench-flat-'));
  try {
    const tickers = Array.from({ length: FLAT_TICKERS }, (_, i) => `T${String(i).padStart(5, '0')}`);
    const sessions = nyseSessions(parseIsoDate(FLAT_START), parseIsoDate(FLAT_END));
    let bytes = 0;
    const paths: string[] = [];
    for (const date of sessions) {
      const path = join(dir, 'store', dayAggsKey(date));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, gzipSync(dayAggsCsv(1, tickers, date)));
      bytes += statSync(path).size;
      paths.push(path);
    }
    const mb = bytes / 1e6;
    const ours: number[] = [];
    const ceiling: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      let t = performance.now();
      const files = new PolygonFlatFiles(
        { kind: 'local', dir: join(dir, 'store') },
        { concurrency: 8, maxRetries: 0, baseDelayMs: 1, random: Math.random },
      );
      await files.writeDailyBars(FLAT_START, FLAT_END, undefined, join(dir, 'raw.csv'));
      files.close();
      await canonicalizeEquityBars({
        vendors: [{ vendor: 'polygon', files: [{ path: join(dir, 'raw.csv'), display: 'raw.csv' }] }],
        duplicates: 'fail',
        onInvalid: 'fail',
        exchange: 'XNYS',
        corporateActions: [],
        outDir: join(dir, `canonical-${r}`),
        threads: 2,
      });
      ours.push((performance.now() - t) / 60_000);
      rmSync(join(dir, `canonical-${r}`), { recursive: true, force: true });
      t = performance.now();
      const { connection, close } = await openDuckDb(2);
      await connection.run(
        `COPY (SELECT * FROM read_csv([${paths.map(sqlString).join(', ')}], header = true) ORDER BY ticker, window_start) TO ${sqlString(join(dir, 'direct.parquet'))} (FORMAT PARQUET, COMPRESSION ZSTD)`,
      );
      close();
      ceiling.push((performance.now() - t) / 60_000);
    }
    console.log('');
    console.log(
      `flat files: ${sessions.length} day files x ${FLAT_TICKERS} tickers, ${mb.toFixed(1)} MB of csv.gz, median of ${RUNS}`,
    );
    console.log('');
    console.log('| path | MB/min of csv.gz |');
    console.log('|---|---|');
    console.log(
      `| quanto: flat files → raw shard → validated canonical Parquet (by symbol/year) | ${Math.round(mb / median(ours)).toLocaleString('en-US')} |`,
    );
    console.log(
      `| DuckDB reading the same files straight into one Parquet file (ceiling) | ${Math.round(mb / median(ceiling)).toLocaleString('en-US')} |`,
    );
    console.log('');
    console.log(
      `quanto / ceiling: ${(median(ceiling) / median(ours)).toFixed(2)}; aim >= 1 GB/min (1,000 MB/min) on 2 cores`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
