import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPolygonServer, type RunningServer } from '../../src/devservers/polygon-server.js';
import { seededDailyBars } from '../../src/devservers/seeded-market.js';
import { REPO_ROOT, TestWorkspace } from '../helpers/workspace.js';

const KEY = 'pk_test_SECRET_9f8e7d6c5b4a';

/** A workspace using the repository's own rules (linked), with a pipeline pointing at a local server. */
function polygonWorkspace(server: RunningServer, extra = ''): TestWorkspace {
  const ws = new TestWorkspace({
    'quanto.pipeline.yaml': `targets:
  raw/polygon:
    rule: ingest_polygon
    config: configs/polygon.yaml
  canonical/bars:
    rule: canonicalize
    deps: [//raw/polygon]
    config: configs/canonical.yaml
`,
    'configs/polygon.yaml': `base_url: ${server.url}
symbols: [AAPL, MSFT]
start: "2019-06-01"
end: "2020-12-31"
page_limit: 40
rate_per_second: 10000
base_delay_ms: 5
max_delay_ms: 50
${extra}`,
    'configs/canonical.yaml': 'vendors:\n  - name: polygon\n    from: //raw/polygon\nduplicates: fail\n',
  });
  symlinkSync(join(REPO_ROOT, 'rules'), join(ws.root, 'rules'));
  symlinkSync(join(REPO_ROOT, 'src'), join(ws.root, 'src'));
  return ws;
}

function allFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('Polygon REST ingestion against the local Polygon server', () => {
  let server: RunningServer | undefined;
  let ws: TestWorkspace | undefined;
  afterEach(async () => {
    delete process.env.POLYGON_API_KEY;
    await server?.close();
    ws?.dispose();
  });

  it('fetches every page of every symbol-year shard in the real wire format, complete and without duplicates', async () => {
    server = await startPolygonServer({ seed: 11, apiKey: KEY });
    ws = polygonWorkspace(server);
    process.env.POLYGON_API_KEY = KEY;
    const r = await ws.build('--jobs', '2');
    expect(r.code).toBe(0);
    expect(r.targets.map((t) => t.label)).toEqual([
      '//raw/polygon@symbol=AAPL/year=2019',
      '//raw/polygon@symbol=AAPL/year=2020',
      '//raw/polygon@symbol=MSFT/year=2019',
      '//raw/polygon@symbol=MSFT/year=2020',
      '//canonical/bars',
    ]);
    const shard = ws.read('cache/out/raw/polygon/symbol=AAPL/year=2019/bars.csv').trim().split('\n');
    const expected = seededDailyBars(11, 'AAPL', '2019-06-01', '2019-12-31');
    expect(shard).toHaveLength(expected.length + 1);
    expect(shard[1]).toBe(
      `AAPL,${expected[0]!.date},${expected[0]!.o},${expected[0]!.h},${expected[0]!.l},${expected[0]!.c},${expected[0]!.v},${expected[0]!.vw},${expected[0]!.n}`,
    );
    // 2019-06-01..12-31 is 148 sessions: 4 pages of 40.
    const show = JSON.parse((await ws.cli('show', '//raw/polygon@symbol=AAPL/year=2019', '--json')).out);
    expect(show.manifest.fetched).toMatchObject({ vendor: 'polygon', pages: 4, requests: 4, rows: 148, retries: {} });
    expect(show.manifest.fetched.raw_sha256).toBe(show.outputs['bars.csv'].digest);
    expect(JSON.parse(ws.read('cache/out/canonical/bars/validation.json'))).toMatchObject({
      rows_in: 2 * (148 + 253),
      rejected: 0,
    });
  });

  it('retries 429 (honouring Retry-After), 500 and truncated bodies, and the data ends complete', async () => {
    server = await startPolygonServer({
      seed: 11,
      apiKey: KEY,
      faults: { rateLimitEvery: 3, retryAfterSeconds: 0, serverErrorEvery: 4, truncateEvery: 5 },
    });
    ws = polygonWorkspace(server);
    process.env.POLYGON_API_KEY = KEY;
    // Inline (--jobs 0), so the adapter runs in this process where coverage can see it.
    const r = await ws.build('--jobs', '0');
    expect(r.code).toBe(0);
    expect(server.faults.injected['rate-limit']).toBeGreaterThan(0);
    expect(server.faults.injected['server-error']).toBeGreaterThan(0);
    expect(server.faults.injected.truncate).toBeGreaterThan(0);
    const shows = await Promise.all(
      ['AAPL/year=2019', 'AAPL/year=2020', 'MSFT/year=2019', 'MSFT/year=2020'].map(
        async (p) => JSON.parse((await ws!.cli('show', `//raw/polygon@symbol=${p}`, '--json')).out).manifest.fetched,
      ),
    );
    const retried = shows.reduce(
      (n, f) => n + Object.values(f.retries as Record<string, number>).reduce((a, b) => a + b, 0),
      0,
    );
    expect(retried).toBe(
      server.faults.injected['rate-limit'] + server.faults.injected['server-error'] + server.faults.injected.truncate,
    );
    expect(JSON.parse(ws.read('cache/out/canonical/bars/validation.json'))).toMatchObject({
      rows_in: 802,
      rows_out: 802,
      rejected: 0,
    });
  });

  it('fails a shard on a permanent 4xx with the vendor message, and never shows the key anywhere', async () => {
    server = await startPolygonServer({ seed: 11, apiKey: KEY });
    ws = polygonWorkspace(server);
    process.env.POLYGON_API_KEY = 'pk_wrong_OTHER_SECRET_1234';
    const bad = await ws.cli('build', '--keep-going', '--json');
    const parsed = JSON.parse(bad.out);
    expect(bad.code).toBe(1);
    expect(parsed.targets[0].error).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/v2\/aggs\/ticker\/AAPL\/range\/1\/day\/2019-06-01\/2019-12-31\?adjusted=false&sort=asc&limit=40: HTTP 401: Unknown API Key$/,
    );
    // And with the right key, a full build: then no artifact, log or output holds either key.
    process.env.POLYGON_API_KEY = KEY;
    const good = await ws.cli('build');
    expect(good.code).toBe(0);
    const texts = [
      bad.out,
      bad.err,
      good.out,
      good.err,
      ...allFiles(ws.path('cache'))
        .filter((f) => statSync(f).size < 5e6)
        .map((f) => readFileSync(f, 'latin1')),
    ];
    for (const text of texts) {
      expect(text.includes(KEY)).toBe(false);
      expect(text.includes('pk_wrong_OTHER_SECRET_1234')).toBe(false);
    }
  });

  it('says which variable to set when the key is missing', async () => {
    server = await startPolygonServer({ seed: 11, apiKey: KEY });
    ws = polygonWorkspace(server);
    const r = await ws.build('//raw/polygon@symbol=AAPL/year=2019');
    expect(r.targets[0]!.error).toBe(
      'POLYGON_API_KEY is not set: export it to build //raw/polygon@symbol=AAPL/year=2019 (the key is read from the environment only)',
    );
  });

  it('a run killed midway fetches only the missing shards when started again', async () => {
    server = await startPolygonServer({ seed: 11, apiKey: KEY, faults: { delayMs: 150 } });
    ws = polygonWorkspace(server);
    process.env.POLYGON_API_KEY = KEY;
    const child = ws.spawnCli(['build', '--jobs', '1', '//raw/polygon']);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if ((out.match(/BUILT/g) ?? []).length >= 2) child.kill('SIGKILL');
    });
    await once(child, 'exit');
    const before = server.faults.requests;
    const resumed = await ws.build('//raw/polygon', '--jobs', '1');
    expect(resumed.cached).toBeGreaterThanOrEqual(2);
    expect(resumed.built).toBe(4 - resumed.cached);
    // Only the missing shards went to the vendor: AAPL 2019 (4 pages) and 2020 (7 pages) are not asked again.
    const fetchedAgain = server.faults.requests - before;
    expect(fetchedAgain).toBeLessThanOrEqual(resumed.built * 7);
    const canon = await ws.build();
    expect(canon.code).toBe(0);
    expect(JSON.parse(ws.read('cache/out/canonical/bars/validation.json'))).toMatchObject({
      rows_out: 802,
      rejected: 0,
    });
  });
});

describe('freshness of shards touching today', () => {
  it('closed periods are final; a shard reaching today is keyed by the clock, in hours buckets', async () => {
    const rule = (await import('../../rules/ingest_polygon.js')).default;
    const c = rule.config.parse({ symbols: ['AAPL'], start: '2024-01-01', end: '2026-12-31', freshness_hours: 6 });
    const now = Date.parse('2026-11-21T10:00:00Z');
    expect(rule.freshness!(c, { symbol: 'AAPL', year: '2025' }, now)).toBeUndefined();
    const token = rule.freshness!(c, { symbol: 'AAPL', year: '2026' }, now);
    expect(token).toBe(String(Math.floor(now / (6 * 3600_000))));
    expect(rule.freshness!(c, { symbol: 'AAPL', year: '2026' }, now + 6 * 3600_000)).not.toBe(token);
    expect(rule.partitions!(c).map((p) => `${p.symbol}/${p.year}`)).toEqual(['AAPL/2024', 'AAPL/2025', 'AAPL/2026']);
  });

  it('the token is in the key record, and such builds are always checked, never answered from a stamp', async () => {
    const server = await startPolygonServer({ seed: 3, apiKey: KEY });
    const today = new Date().toISOString().slice(0, 10);
    const year = today.slice(0, 4);
    const ws = polygonWorkspace(server);
    try {
      ws.write(
        'configs/polygon.yaml',
        `base_url: ${server.url}\nsymbols: [AAPL]\nstart: "${year}-01-01"\nend: "${today}"\nrate_per_second: 10000\n`,
      );
      process.env.POLYGON_API_KEY = KEY;
      expect((await ws.build('//raw/polygon')).built).toBe(1);
      const show = JSON.parse((await ws.cli('show', `//raw/polygon@symbol=AAPL/year=${year}`, '--json')).out);
      expect(show.manifest.record.freshness).toMatch(/^\d+$/);
      const { build } = await import('../../src/engine/scheduling/build.js');
      const { Session } = await import('../../src/engine/session.js');
      const events: string[] = [];
      const again = await build(await Session.open(ws.root), ['//raw/polygon'], {
        jobs: 0,
        onEvent: (e) => events.push(e.type),
      });
      expect(again.cached).toBe(1);
      expect(events).toContain('planned');
    } finally {
      delete process.env.POLYGON_API_KEY;
      await server.close();
      ws.dispose();
    }
  });
});

describe('quanto dev vendors', () => {
  it('serves the local Polygon API until stopped', async () => {
    const { devVendorsCommand } = await import('../../src/cli/commands/dev-vendors.js');
    let out = '';
    const stop = new AbortController();
    const running = devVendorsCommand(
      { out: (t) => (out += t), err: () => {}, cwd: REPO_ROOT, isTTY: false },
      { seed: 5, key: 'dev' },
      stop.signal,
    );
    for (let i = 0; i < 50 && !out.includes('polygon REST'); i++) await new Promise((r) => setTimeout(r, 20));
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(out)![0];
    const res = await fetch(`${url}/v2/aggs/ticker/SPY/range/1/day/2024-01-02/2024-01-05`, {
      headers: { authorization: 'Bearer dev' },
    });
    const body = (await res.json()) as { resultsCount: number; results: { t: number }[] };
    expect(body.resultsCount).toBe(4);
    expect(body.results[0]!.t).toBe(Date.parse('2024-01-02T05:00:00Z'));
    stop.abort();
    expect(await running).toBe(0);
  });
});
