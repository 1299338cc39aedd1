import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getBars } from '../../src/data/query/get-bars.js';
import { startAlpacaServer } from '../../src/devservers/alpaca-server.js';
import { startPolygonServer } from '../../src/devservers/polygon-server.js';
import { REPO_ROOT, TestWorkspace } from '../helpers/workspace.js';

const POLY = 'pk_poly_SECRET_11';
const APCA_ID = 'AKAPCA_ID_22';
const APCA_SECRET = 'apca_SECRET_33';

describe('a second vendor (Alpaca) and reconciliation by precedence', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const k of ['POLYGON_API_KEY', 'APCA_API_KEY_ID', 'APCA_API_SECRET_KEY']) delete process.env[k];
    for (const c of cleanups.splice(0)) await c();
  });

  it('fetches Alpaca bars through faults, and canonical bars take Polygon first and Alpaca where Polygon has none', async () => {
    const polygon = await startPolygonServer({ seed: 9, apiKey: POLY });
    const alpaca = await startAlpacaServer({
      seed: 9,
      keyId: APCA_ID,
      secretKey: APCA_SECRET,
      priceFactor: 1.01,
      faults: { rateLimitEvery: 3, retryAfterSeconds: 0, serverErrorEvery: 4, truncateEvery: 5 },
    });
    const ws = new TestWorkspace({
      'quanto.pipeline.yaml': `targets:
  raw/polygon:
    rule: ingest_polygon
    config: configs/polygon.yaml
  raw/alpaca:
    rule: ingest_alpaca
    config: configs/alpaca.yaml
  canonical/bars:
    rule: canonicalize
    deps: [//raw/polygon, //raw/alpaca]
    config: configs/canonical.yaml
`,
      'configs/polygon.yaml': `base_url: ${polygon.url}\nsymbols: [AAPL]\nstart: "2021-03-01"\nend: "2021-03-31"\nrate_per_second: 10000\n`,
      'configs/alpaca.yaml': `base_url: ${alpaca.url}\nsymbols: [AAPL]\nstart: "2021-02-22"\nend: "2021-03-31"\npage_limit: 7\nrate_per_second: 10000\nbase_delay_ms: 5\n`,
      'configs/canonical.yaml':
        'vendors:\n  - name: polygon\n    from: //raw/polygon\n  - name: alpaca\n    from: //raw/alpaca\nduplicates: fail\n',
    });
    symlinkSync(join(REPO_ROOT, 'rules'), join(ws.root, 'rules'));
    symlinkSync(join(REPO_ROOT, 'src'), join(ws.root, 'src'));
    cleanups.push(
      () => polygon.close(),
      () => alpaca.close(),
      () => ws.dispose(),
    );
    process.env.POLYGON_API_KEY = POLY;
    process.env.APCA_API_KEY_ID = APCA_ID;
    process.env.APCA_API_SECRET_KEY = APCA_SECRET;
    const r = await ws.build('--jobs', '0');
    expect(r.code).toBe(0);
    expect(
      alpaca.faults.injected['rate-limit'] + alpaca.faults.injected['server-error'] + alpaca.faults.injected.truncate,
    ).toBeGreaterThan(2);
    const alpacaFetch = JSON.parse((await ws.cli('show', '//raw/alpaca@symbol=AAPL/year=2021', '--json')).out).manifest
      .fetched;
    // 2021-02-22..03-31: 28 sessions in pages of 7.
    expect(alpacaFetch).toMatchObject({ vendor: 'alpaca', pages: 4, rows: 28 });
    const validation = JSON.parse(ws.read('cache/out/canonical/bars/validation.json'));
    expect(validation.rows_by_vendor).toEqual({ alpaca: 5, polygon: 23 });
    const bars = await getBars(ws.path('cache/out/canonical/bars/equity_bars'), {
      symbols: ['AAPL'],
      start: '2021-02-25',
      end: '2021-03-02',
      adjust: 'none',
    });
    expect(bars.map((b) => [b.date, b.vendor])).toEqual([
      ['2021-02-25', 'alpaca'],
      ['2021-02-26', 'alpaca'],
      ['2021-03-01', 'polygon'],
      ['2021-03-02', 'polygon'],
    ]);
    // None of the three secrets is in any artifact of the run.
    const { readdirSync, readFileSync, statSync } = await import('node:fs');
    const files = readdirSync(ws.path('cache'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
    for (const f of files) {
      if (statSync(f).size > 5e6) continue;
      const text = readFileSync(f, 'latin1');
      for (const secret of [POLY, APCA_ID, APCA_SECRET]) expect(text.includes(secret), `${secret} in ${f}`).toBe(false);
    }
  });
});
