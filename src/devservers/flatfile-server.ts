import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { parseIsoDate } from '../data/calendar/civil-date.js';
import { isNyseSession } from '../data/calendar/nyse.js';
import { DAY_AGGS_HEADER, DAY_AGGS_PREFIX } from '../data/vendors/polygon-flatfiles.js';
import { listenOnLoopback } from './listen.js';
import { FaultInjector, type FaultPlan } from './faults.js';
import { seededDailyBar } from './seeded-market.js';

/** Polygon's flat file for one session: every ticker's daily aggregate, window_start in nanoseconds. */
export function dayAggsCsv(seed: number, tickers: readonly string[], date: string): string {
  const lines = [DAY_AGGS_HEADER];
  for (const ticker of [...tickers].sort()) {
    const b = seededDailyBar(seed, ticker, date);
    lines.push(`${ticker},${b.v},${b.o},${b.c},${b.h},${b.l},${BigInt(b.t) * 1_000_000n},${b.n}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface FlatFileServerOptions {
  seed: number;
  bucket: string;
  accessKeyId: string;
  tickers: readonly string[];
  faults?: FaultPlan;
}

/**
 * A loopback S3-compatible object store (path-style GET /{bucket}/{key}) serving Polygon's
 * day-aggregate flat files. It checks the SigV4 credential's access key id; it does not
 * recompute signatures.
 */
export async function startFlatFileServer(
  options: FlatFileServerOptions,
): Promise<{ url: string; server: Server; faults: FaultInjector; close(): Promise<void> }> {
  const faults = new FaultInjector(options.faults);
  const server = createServer((req, res) => {
    const fail = (status: number, code: string, message: string) => {
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
    };
    void (async () => {
      if (faults.delayMs > 0) await new Promise((r) => setTimeout(r, faults.delayMs));
      const credential = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
      if (credential !== options.accessKeyId)
        return fail(
          403,
          'InvalidAccessKeyId',
          `The AWS Access Key Id you provided does not exist in our records.${faults.echo(req)}`,
        );
      const fault = faults.next();
      if (fault === 'server-error' || fault === 'rate-limit')
        return fail(
          fault === 'rate-limit' ? 503 : 500,
          fault === 'rate-limit' ? 'SlowDown' : 'InternalError',
          `Please try again.${faults.echo(req)}`,
        );
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const m = new RegExp(
        `^/${options.bucket}/${DAY_AGGS_PREFIX}/(\\d{4})/(\\d{2})/(\\d{4}-\\d{2}-\\d{2})\\.csv\\.gz$`,
      ).exec(path);
      if (!path.startsWith(`/${options.bucket}/`))
        return fail(404, 'NoSuchBucket', 'The specified bucket does not exist');
      if (!m || !isNyseSession(parseIsoDate(m[3]!)) || m[3]!.slice(0, 4) !== m[1] || m[3]!.slice(5, 7) !== m[2])
        return fail(404, 'NoSuchKey', 'The specified key does not exist.');
      const full = gzipSync(dayAggsCsv(options.seed, options.tickers, m[3]!));
      // A truncated object arrives whole as far as HTTP can tell; only decompressing it shows the cut.
      const body = fault === 'truncate' ? full.subarray(0, Math.floor(full.length / 2)) : full;
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': String(body.length) });
      res.end(body);
    })();
  });
  return { ...(await listenOnLoopback(server)), server, faults };
}
