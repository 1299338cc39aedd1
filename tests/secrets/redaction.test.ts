import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAlpacaServer } from '../../src/devservers/alpaca-server.js';
import { startFlatFileServer } from '../../src/devservers/flatfile-server.js';
import { startPolygonServer } from '../../src/devservers/polygon-server.js';
import { startStreamServer } from '../../src/devservers/stream-server.js';
import { maskSecretsInFile, redact } from '../../src/secrets/redact.js';
import { filesUnder, REPO_ROOT, TestWorkspace } from '../helpers/workspace.js';

function vendorWorkspace(pipeline: string, configs: Record<string, string>): TestWorkspace {
  const ws = new TestWorkspace({ 'quanto.pipeline.yaml': pipeline, ...configs });
  symlinkSync(join(REPO_ROOT, 'rules'), join(ws.root, 'rules'));
  symlinkSync(join(REPO_ROOT, 'src'), join(ws.root, 'src'));
  return ws;
}

/** The secret is nowhere: not in what the command printed, not in any file of the workspace (logs, manifests, blobs, state). */
function expectNowhere(ws: TestWorkspace, printed: string, secrets: readonly string[]): void {
  const files = filesUnder(ws.root);
  expect(files.some((f) => f.includes(`${join('cache', 'logs')}`))).toBe(true);
  for (const secret of secrets) {
    expect(printed).not.toContain(secret);
    for (const f of files) expect(readFileSync(f, 'latin1').includes(secret), f).toBe(false);
  }
}

const ENV_KEYS = [
  'POLYGON_API_KEY',
  'POLYGON_S3_ACCESS_KEY_ID',
  'POLYGON_S3_SECRET_ACCESS_KEY',
  'APCA_API_KEY_ID',
  'APCA_API_SECRET_KEY',
  'QUANTO_TEST_VENDOR_TOKEN',
];

describe('secrets never leave the process, even when a server echoes them', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const k of ENV_KEYS) delete process.env[k];
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('REST ingestion: a 401 whose body repeats our headers', async () => {
    const key = 'pk_live_REDACTION_TEST_4f3e2d1c';
    const server = await startPolygonServer({
      seed: 3,
      apiKey: 'the-server-wants-another-key',
      faults: { echoRequest: true },
    });
    const ws = vendorWorkspace(
      'targets:\n  raw/polygon:\n    rule: ingest_polygon\n    config: configs/polygon.yaml\n',
      {
        'configs/polygon.yaml': `base_url: ${server.url}\nsymbols: [AAPL]\nstart: "2020-01-01"\nend: "2020-03-31"\nrate_per_second: 10000\nmax_retries: 0\n`,
      },
    );
    cleanups.push(
      () => server.close(),
      () => ws.dispose(),
    );
    process.env.POLYGON_API_KEY = key;
    for (const jobs of ['0', '2']) {
      const r = await ws.cli('build', '--no-tui', '--jobs', jobs);
      expect(r.code).toBe(1);
      // The echo happened and reached the FAILED line, masked.
      expect(r.out).toMatch(/FAILED .*Unknown API Key \(request: .*\[redacted POLYGON_API_KEY\]/);
      expectNowhere(ws, r.out + r.err, [key]);
    }
  });

  it('REST ingestion: 500s with the echo, through every retry, and --json', async () => {
    const key = 'pk_live_REDACTION_TEST_500_9a8b';
    const server = await startPolygonServer({
      seed: 3,
      apiKey: key,
      faults: { echoRequest: true, serverErrorEvery: 1 },
    });
    const ws = vendorWorkspace(
      'targets:\n  raw/polygon:\n    rule: ingest_polygon\n    config: configs/polygon.yaml\n',
      {
        'configs/polygon.yaml': `base_url: ${server.url}\nsymbols: [AAPL]\nstart: "2020-01-01"\nend: "2020-03-31"\nrate_per_second: 10000\nmax_retries: 1\nbase_delay_ms: 1\nmax_delay_ms: 2\n`,
      },
    );
    cleanups.push(
      () => server.close(),
      () => ws.dispose(),
    );
    process.env.POLYGON_API_KEY = key;
    const r = await ws.cli('build', '--json', '--jobs', '0');
    expect(r.code).toBe(1);
    expect(r.out).toContain('[redacted POLYGON_API_KEY]');
    expectNowhere(ws, r.out + r.err, [key]);
  });

  it('flat files: a 403 that quotes our SigV4 Authorization header', async () => {
    const id = 'AKIDREDACTIONTEST77';
    const secret = 'flat-secret-REDACTION-TEST-0987';
    const server = await startFlatFileServer({
      seed: 4,
      bucket: 'flatfiles',
      accessKeyId: 'AKIDSOMEONEELSE',
      tickers: ['AAPL'],
      faults: { echoRequest: true },
    });
    const ws = vendorWorkspace(
      'targets:\n  raw/flat:\n    rule: ingest_polygon_flatfiles\n    config: configs/flat.yaml\n',
      {
        'configs/flat.yaml': `source: { kind: s3, endpoint: "${server.url}", bucket: flatfiles }\nsymbols: [AAPL]\nstart: "2024-01-25"\nend: "2024-01-31"\nbase_delay_ms: 5\nmax_retries: 0\n`,
      },
    );
    cleanups.push(
      () => server.close(),
      () => ws.dispose(),
    );
    process.env.POLYGON_S3_ACCESS_KEY_ID = id;
    process.env.POLYGON_S3_SECRET_ACCESS_KEY = secret;
    const r = await ws.cli('build', '--no-tui', '--jobs', '0');
    expect(r.code).toBe(1);
    expect(r.out).toContain('[redacted POLYGON_S3_ACCESS_KEY_ID]');
    expectNowhere(ws, r.out + r.err, [id, secret]);
  });

  it('the stream: a failed auth whose status message repeats our auth message', async () => {
    const key = 'ws_REDACTION_TEST_key_5566';
    const feed = await startStreamServer({ seed: 6, apiKey: 'another-key-entirely', faults: { echoAuth: true } });
    const rest = await startPolygonServer({ seed: 6, apiKey: key });
    const ws = vendorWorkspace(
      'targets:\n  raw/live:\n    rule: ingest_polygon_live\n    config: configs/live.yaml\n',
      {
        'configs/live.yaml': `ws_url: ${feed.url}\nbase_url: ${rest.url}\nsymbols: [AAPL]\nwindow_seconds: 0.2\nsession: "2024-03-04"\nrate_per_second: 10000\nbase_delay_ms: 5\nmax_retries: 0\n`,
      },
    );
    cleanups.push(
      () => feed.close(),
      () => rest.close(),
      () => ws.dispose(),
    );
    process.env.POLYGON_API_KEY = key;
    const r = await ws.cli('build', '--no-tui', '--jobs', '0');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/authentication failed \(the feed said: .*\[redacted POLYGON_API_KEY\]/);
    expectNowhere(ws, r.out + r.err, [key]);
  });

  it('Alpaca market data: 500s that echo both key headers', async () => {
    const keyId = 'AKREDACTIONTEST0011';
    const secretKey = 'apca-secret-REDACTION-TEST-2233';
    const alpaca = await startAlpacaServer({
      seed: 9,
      keyId,
      secretKey,
      faults: { echoRequest: true, serverErrorEvery: 1 },
    });
    const ws = vendorWorkspace('targets:\n  raw/alpaca:\n    rule: ingest_alpaca\n    config: configs/alpaca.yaml\n', {
      'configs/alpaca.yaml': `base_url: ${alpaca.url}\nsymbols: [AAPL]\nstart: "2021-02-22"\nend: "2021-03-31"\nrate_per_second: 10000\nbase_delay_ms: 1\nmax_delay_ms: 2\nmax_retries: 1\n`,
    });
    cleanups.push(
      () => alpaca.close(),
      () => ws.dispose(),
    );
    process.env.APCA_API_KEY_ID = keyId;
    process.env.APCA_API_SECRET_KEY = secretKey;
    const r = await ws.cli('build', '--no-tui', '--jobs', '2');
    expect(r.code).toBe(1);
    expect(r.out).toContain('[redacted APCA_API_SECRET_KEY]');
    expectNowhere(ws, r.out + r.err, [keyId, secretKey]);
  });

  it("a user's rule that writes a credential into its log, its manifest, its output and its error", async () => {
    const token = 'user-vendor-token-REDACTION-8899';
    const rule = `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
export default {
  name: 'leaky',
  version: 1,
  config: z.object({ fail: z.boolean().default(false) }).strict(),
  outputs: ['out.txt'],
  run(ctx) {
    const token = process.env.QUANTO_TEST_VENDOR_TOKEN;
    ctx.log.info('calling the vendor with ' + token);
    if (ctx.config.fail) throw new Error('vendor said: bad token ' + token);
    writeFileSync(join(ctx.outDir, 'out.txt'), 'header\\ntoken=' + token + '\\n');
    return { fetched: { echoed: 'Bearer ' + token } };
  },
};
`;
    const ws = new TestWorkspace({
      'quanto.pipeline.yaml':
        'targets:\n  raw/ok:\n    rule: leaky\n  raw/bad:\n    rule: leaky\n    config: configs/bad.yaml\n',
      'configs/bad.yaml': 'fail: true\n',
      'rules/leaky.ts': rule,
    });
    cleanups.push(() => ws.dispose());
    process.env.QUANTO_TEST_VENDOR_TOKEN = token;
    const r = await ws.cli('build', '--no-tui', '--keep-going');
    expect(r.code).toBe(1);
    expect(r.out).toContain('bad token [redacted QUANTO_TEST_VENDOR_TOKEN]');
    // Masked byte for byte in the blob, so its length (and any binary layout) is kept.
    expect(ws.read('cache/out/raw/ok/out.txt')).toBe(`header\ntoken=${'*'.repeat(token.length)}\n`);
    expect(ws.read('cache/logs/raw/ok.log')).toContain('calling the vendor with [redacted QUANTO_TEST_VENDOR_TOKEN]');
    const shown = JSON.parse((await ws.cli('show', '//raw/ok', '--json')).out) as { manifest: { fetched: unknown } };
    expect(shown.manifest.fetched).toEqual({ echoed: 'Bearer [redacted QUANTO_TEST_VENDOR_TOKEN]' });
    expectNowhere(ws, r.out + r.err, [token]);
  });
});

describe('the redaction layer', () => {
  afterEach(() => {
    delete process.env.QUANTO_TEST_VENDOR_TOKEN;
    delete process.env.POLYGON_API_KEY;
  });

  it('masks the value, its URL-encoded and its JSON-escaped forms; leaves text alone when no secret is set', () => {
    expect(redact('nothing here')).toBe('nothing here');
    process.env.QUANTO_TEST_VENDOR_TOKEN = '100.25'; // too short to be a credential: data like it must not be masked
    expect(redact('close 100.25')).toBe('close 100.25');
    process.env.POLYGON_API_KEY = 'a/b+c"d=secret';
    expect(redact('key a/b+c"d=secret')).toBe('key [redacted POLYGON_API_KEY]');
    expect(redact(`?apiKey=${encodeURIComponent('a/b+c"d=secret')}`)).toBe('?apiKey=[redacted POLYGON_API_KEY]');
    expect(redact(JSON.stringify({ h: 'a/b+c"d=secret' }))).toBe('{"h":"[redacted POLYGON_API_KEY]"}');
  });

  it('masks a secret split across two read chunks of a large file', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'quanto-mask-'));
    try {
      process.env.QUANTO_TEST_VENDOR_TOKEN = 'split-secret-value-0123';
      const path = join(dir, 'big.bin');
      const at = (1 << 20) - 5; // straddles the first 1 MiB chunk's end
      const bytes = Buffer.alloc(3 << 20, 0x41);
      bytes.write('split-secret-value-0123', at);
      bytes.write('split-secret-value-0123', 2 << 20);
      writeFileSync(path, bytes);
      expect(maskSecretsInFile(path)).toBe(2);
      const after = readFileSync(path);
      expect(after.length).toBe(bytes.length);
      expect(after.includes('split-secret-value-0123')).toBe(false);
      expect(after.subarray(at, at + 23).toString()).toBe('*'.repeat(23));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
