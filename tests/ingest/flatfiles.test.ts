import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { dayAggsKey } from '../../src/data/vendors/polygon-flatfiles.js';
import { dayAggsCsv, startFlatFileServer } from '../../src/devservers/flatfile-server.js';
import { REPO_ROOT, TestWorkspace } from '../helpers/workspace.js';

const ID = 'AKIDQUANTOTEST';
const SECRET = 'flat-file-SECRET-0123456789';
const TICKERS = ['AAPL', 'MSFT', 'SPY', 'ZZZ'];

function workspace(source: string, extra = ''): TestWorkspace {
  const ws = new TestWorkspace({
    'quanto.pipeline.yaml':
      'targets:\n  raw/flat:\n    rule: ingest_polygon_flatfiles\n    config: configs/flat.yaml\n  canonical/flat:\n    rule: canonicalize\n    deps: [//raw/flat]\n    config: configs/canonical.yaml\n',
    'configs/flat.yaml': `source: ${source}\nsymbols: [AAPL, MSFT, SPY]\nstart: "2024-01-25"\nend: "2024-03-05"\nbase_delay_ms: 5\n${extra}`,
    'configs/canonical.yaml': 'vendors:\n  - name: polygon\n    from: //raw/flat\nduplicates: fail\n',
  });
  symlinkSync(join(REPO_ROOT, 'rules'), join(ws.root, 'rules'));
  symlinkSync(join(REPO_ROOT, 'src'), join(ws.root, 'src'));
  return ws;
}

describe('Polygon flat files', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    delete process.env.POLYGON_S3_ACCESS_KEY_ID;
    delete process.env.POLYGON_S3_SECRET_ACCESS_KEY;
    for (const c of cleanups.splice(0)) await c();
  });

  it('reads day_aggs_v1 csv.gz files from an S3-compatible store (path-style), by month, despite faults', async () => {
    const server = await startFlatFileServer({
      seed: 4,
      bucket: 'flatfiles',
      accessKeyId: ID,
      tickers: TICKERS,
      faults: { serverErrorEvery: 4, rateLimitEvery: 7, truncateEvery: 5 },
    });
    // Eight downloads share the server's fault stream: a generous retry budget keeps any one from running out.
    const ws = workspace(`{ kind: s3, endpoint: "${server.url}", bucket: flatfiles }`, 'max_retries: 30\n');
    cleanups.push(
      () => server.close(),
      () => ws.dispose(),
    );
    process.env.POLYGON_S3_ACCESS_KEY_ID = ID;
    process.env.POLYGON_S3_SECRET_ACCESS_KEY = SECRET;
    const r = await ws.build('--jobs', '0');
    expect(r.code).toBe(0);
    expect(r.targets.map((t) => t.label)).toEqual([
      '//raw/flat@month=2024-01',
      '//raw/flat@month=2024-02',
      '//raw/flat@month=2024-03',
      '//canonical/flat',
    ]);
    const jan = ws.read('cache/out/raw/flat/month=2024-01/bars.csv').trim().split('\n');
    // 2024-01-25..31: 5 sessions x 3 of the 4 tickers in the files.
    expect(jan).toHaveLength(1 + 15);
    expect(jan[0]).toBe('symbol,ts,open,high,low,close,volume,vwap,trades');
    expect(jan[1]).toMatch(/^AAPL,2024-01-25,[\d.]+,[\d.]+,[\d.]+,[\d.]+,\d+,,\d+$/);
    expect(
      server.faults.injected.truncate + server.faults.injected['server-error'] + server.faults.injected['rate-limit'],
    ).toBeGreaterThan(3);
    const validation = JSON.parse(ws.read('cache/out/canonical/flat/validation.json'));
    expect(validation).toMatchObject({ rows_in: 3 * 28, rows_out: 3 * 28, rejected: 0, gaps: {} });
    // No artifact holds the secret.
    const files = readdirSync(ws.path('cache'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
    for (const f of files) if (statSync(f).size < 5e6) expect(readFileSync(f, 'latin1').includes(SECRET)).toBe(false);
  });

  it('reads the same layout from a local directory, with identical bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quanto-flat-local-'));
    const server = await startFlatFileServer({ seed: 4, bucket: 'flatfiles', accessKeyId: ID, tickers: TICKERS });
    const s3 = workspace(`{ kind: s3, endpoint: "${server.url}" }`);
    const local = workspace(`{ kind: local, dir: "${dir}" }`);
    cleanups.push(
      () => rmSync(dir, { recursive: true, force: true }),
      () => server.close(),
      () => s3.dispose(),
      () => local.dispose(),
    );
    for (const date of [
      '2024-01-25',
      '2024-01-26',
      '2024-01-29',
      '2024-01-30',
      '2024-01-31',
      '2024-02-01',
      '2024-02-02',
    ]) {
      const path = join(dir, dayAggsKey(date));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, gzipSync(dayAggsCsv(4, TICKERS, date)));
    }
    process.env.POLYGON_S3_ACCESS_KEY_ID = ID;
    process.env.POLYGON_S3_SECRET_ACCESS_KEY = SECRET;
    const a = await s3.build('//raw/flat@month=2024-01');
    const b = await local.build('//raw/flat@month=2024-01');
    expect(a.targets[0]!.outputs).toEqual(b.targets[0]!.outputs);
    // A session missing from the store fails its shard, naming the file.
    const missing = await local.build('//raw/flat@month=2024-02');
    expect(missing.targets[0]!.error).toMatch(
      /flat file us_stocks_sip\/day_aggs_v1\/2024\/02\/2024-02-05\.csv\.gz: NoSuchKey/,
    );
  });

  it('names the variables to set when credentials are missing, and reports a refused key', async () => {
    const server = await startFlatFileServer({ seed: 4, bucket: 'flatfiles', accessKeyId: ID, tickers: TICKERS });
    const ws = workspace(`{ kind: s3, endpoint: "${server.url}" }`, 'max_retries: 0\n');
    cleanups.push(
      () => server.close(),
      () => ws.dispose(),
    );
    const none = await ws.build('//raw/flat@month=2024-01');
    expect(none.targets[0]!.error).toBe(
      'POLYGON_S3_ACCESS_KEY_ID and POLYGON_S3_SECRET_ACCESS_KEY must be set to build //raw/flat@month=2024-01 (credentials are read from the environment only)',
    );
    process.env.POLYGON_S3_ACCESS_KEY_ID = 'AKIDWRONG';
    process.env.POLYGON_S3_SECRET_ACCESS_KEY = SECRET;
    const refused = await ws.build('//raw/flat@month=2024-01');
    expect(refused.targets[0]!.error).toMatch(
      /^flat file us_stocks_sip\/day_aggs_v1\/2024\/01\/2024-01-25\.csv\.gz: InvalidAccessKeyId/,
    );
    expect(refused.targets[0]!.error).not.toContain(SECRET);
  });
});
