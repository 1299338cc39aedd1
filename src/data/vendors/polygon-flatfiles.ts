import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parseIsoDate } from '../calendar/civil-date.js';
import { nyseSessions } from '../calendar/nyse.js';
import { RAW_BAR_HEADER } from '../schemas/equity-bars.js';
import { openDuckDb, sqlString } from '../store/duckdb.js';
import { sleep } from './http/limits.js';

export const DAY_AGGS_PREFIX = 'us_stocks_sip/day_aggs_v1';
export const DAY_AGGS_HEADER = 'ticker,volume,open,close,high,low,window_start,transactions';
export const FLATFILES_KEY_ENV = { id: 'POLYGON_S3_ACCESS_KEY_ID', secret: 'POLYGON_S3_SECRET_ACCESS_KEY' } as const;

export type FlatFileSource =
  | { kind: 's3'; endpoint: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string }
  | { kind: 'local'; dir: string };

export interface FlatFileStats {
  files: number;
  bytes: number;
  retries: number;
}

/** The object key of one session's day aggregates. */
export function dayAggsKey(date: string): string {
  return `${DAY_AGGS_PREFIX}/${date.slice(0, 4)}/${date.slice(5, 7)}/${date}.csv.gz`;
}

/**
 * Polygon flat files: one gzip CSV per session with every ticker's daily aggregate, from an
 * S3-compatible store (path-style, any endpoint) or a local directory of the same layout.
 * Files are fetched with bounded concurrency and checked by decompressing them (a truncated
 * object is fetched again); DuckDB then parses them all in its own threads.
 */
export class PolygonFlatFiles {
  readonly stats: FlatFileStats = { files: 0, bytes: 0, retries: 0 };
  private readonly s3: S3Client | undefined;

  constructor(
    private readonly source: FlatFileSource,
    private readonly options: { concurrency: number; maxRetries: number; baseDelayMs: number; random: () => number },
  ) {
    if (source.kind === 's3') {
      this.s3 = new S3Client({
        endpoint: source.endpoint,
        region: source.region,
        forcePathStyle: true,
        credentials: { accessKeyId: source.accessKeyId, secretAccessKey: source.secretAccessKey },
        maxAttempts: 1, // retries are ours: a truncated body is only seen after the SDK is done
      });
    }
  }

  /** Daily bars of the sessions from `from` to `to` for the symbols (all when undefined), as a raw shard. */
  async writeDailyBars(from: string, to: string, symbols: readonly string[] | undefined, outPath: string): Promise<{ rows: number; sessions: number }> {
    const sessions = to < from ? [] : nyseSessions(parseIsoDate(from), parseIsoDate(to));
    const scratch = mkdtempSync(join(tmpdir(), 'quanto-flatfiles-'));
    try {
      const files: string[] = new Array(sessions.length);
      const queue = sessions.entries();
      await Promise.all(
        Array.from({ length: Math.min(this.options.concurrency, sessions.length) }, async () => {
          for (let next = queue.next(); !next.done; next = queue.next()) {
            const [i, date] = next.value;
            const path = join(scratch, `${date}.csv`);
            writeFileSync(path, await this.fetchDay(date));
            files[i] = path;
          }
        }),
      );
      writeFileSync(outPath, `${RAW_BAR_HEADER.join(',')}\n`);
      if (files.length === 0) return { rows: 0, sessions: 0 };
      const { connection, close } = await openDuckDb(2);
      try {
        const filter = symbols ? `WHERE ticker IN (${symbols.map(sqlString).join(', ')})` : '';
        // window_start is midnight New York in nanoseconds: noon UTC of that instant is the session date.
        await connection.run(
          `COPY (SELECT ticker AS symbol, strftime(make_timestamp(window_start // 1000) + INTERVAL 12 HOUR, '%Y-%m-%d') AS ts,
                        open, high, low, close, volume, NULL AS vwap, transactions AS trades
                 FROM read_csv([${files.map(sqlString).join(', ')}], header = true,
                   columns = {'ticker': 'VARCHAR', 'volume': 'BIGINT', 'open': 'DOUBLE', 'close': 'DOUBLE', 'high': 'DOUBLE', 'low': 'DOUBLE', 'window_start': 'BIGINT', 'transactions': 'BIGINT'})
                 ${filter} ORDER BY symbol, ts)
           TO ${sqlString(outPath)} (FORMAT CSV, HEADER true)`,
        );
        const rows = Number((await (await connection.runAndReadAll(`SELECT count(*) AS n FROM read_csv(${sqlString(outPath)}, header = true)`)).getRowObjectsJS())[0]!.n);
        return { rows, sessions: sessions.length };
      } finally {
        close();
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  /** One session's file, decompressed and header-checked; retried when the bytes are cut short. */
  private async fetchDay(date: string): Promise<Buffer> {
    const key = dayAggsKey(date);
    for (let attempt = 0; ; attempt++) {
      let compressed: Buffer;
      try {
        compressed = await this.getObject(key);
      } catch (err) {
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        const retriable = status === undefined || status >= 500 || status === 429;
        if (!retriable || attempt >= this.options.maxRetries) throw new Error(`flat file ${key}: ${(err as Error).name}: ${(err as Error).message}`);
        await this.backoff(attempt);
        continue;
      }
      try {
        const csv = gunzipSync(compressed);
        const header = csv.subarray(0, csv.indexOf(10)).toString('utf8');
        if (header !== DAY_AGGS_HEADER) throw new Error(`flat file ${key}: the header is '${header}', expected '${DAY_AGGS_HEADER}'`);
        this.stats.files += 1;
        this.stats.bytes += compressed.length;
        return csv;
      } catch (err) {
        if ((err as Error).message.startsWith('flat file')) throw err;
        if (attempt >= this.options.maxRetries) throw new Error(`flat file ${key}: cannot decompress it (${(err as Error).message}) after ${attempt} retries`);
        await this.backoff(attempt);
      }
    }
  }

  private async getObject(key: string): Promise<Buffer> {
    if (this.source.kind === 'local') {
      const path = join(this.source.dir, key);
      if (!existsSync(path)) throw Object.assign(new Error(`no such file ${path}`), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
      return readFileSync(path);
    }
    const res = await this.s3!.send(new GetObjectCommand({ Bucket: this.source.bucket, Key: key }));
    return Buffer.from(await res.Body!.transformToByteArray());
  }

  private async backoff(attempt: number): Promise<void> {
    this.stats.retries += 1;
    await sleep(this.options.random() * Math.min(5000, this.options.baseDelayMs * 2 ** attempt));
  }

  close(): void {
    this.s3?.destroy();
  }
}
