import { describe, expect, it } from 'vitest';
import { routeRequest } from '../../src/data/vendors/routing.js';

const thresholds = { flatfilesMinBars: 10_000, flatfilesMinSessions: 60 };

describe('routing between REST, flat files and the WebSocket feed', () => {
  it('sends small requests to REST', () => {
    const d = routeRequest(
      { symbols: 3, start: '2024-01-01', end: '2024-12-31', live: false },
      '2026-11-21',
      thresholds,
    );
    expect(d).toEqual({
      route: 'rest',
      bars: 3 * 252,
      sessions: 252,
      reason: '756 bars over 252 sessions: under 10000 bars or 60 sessions',
    });
  });

  it('sends large historical ranges to flat files', () => {
    const d = routeRequest(
      { symbols: 500, start: '2020-01-01', end: '2024-12-31', live: false },
      '2026-11-21',
      thresholds,
    );
    expect(d.route).toBe('flatfiles');
    expect(d.reason).toMatch(/^\d+ bars over 1258 sessions: at least 10000 bars and 60 sessions$/);
  });

  it('keeps many symbols over a few days on REST (a flat file per day would fetch every ticker)', () => {
    expect(
      routeRequest({ symbols: 5000, start: '2024-03-04', end: '2024-03-08', live: false }, '2026-11-21', thresholds)
        .route,
    ).toBe('rest');
  });

  it('streams live increments when the range reaches today', () => {
    expect(
      routeRequest({ symbols: 3, start: '2026-11-01', end: '2026-11-21', live: true }, '2026-11-21', thresholds),
    ).toMatchObject({
      route: 'stream',
      reason: 'the range reaches today (2026-11-21) and live increments were asked for',
    });
    expect(
      routeRequest({ symbols: 3, start: '2026-11-01', end: '2026-11-20', live: true }, '2026-11-21', thresholds).route,
    ).toBe('rest');
  });
});

describe('the routed Polygon rule', () => {
  it('takes REST for a small year and flat files for a large one, records why, and both give the same raw format', async () => {
    const { symlinkSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { startPolygonServer } = await import('../../src/devservers/polygon-server.js');
    const { startFlatFileServer } = await import('../../src/devservers/flatfile-server.js');
    const { REPO_ROOT, TestWorkspace } = await import('../helpers/workspace.js');
    const symbols = ['AAA', 'BBB', 'CCC'];
    const rest = await startPolygonServer({ seed: 8, apiKey: 'rk' });
    const flat = await startFlatFileServer({
      seed: 8,
      bucket: 'flatfiles',
      accessKeyId: 'AK',
      tickers: [...symbols, 'OTHER'],
    });
    const ws = new TestWorkspace({
      'quanto.pipeline.yaml':
        'targets:\n  raw/auto:\n    rule: ingest_polygon_routed\n    config: configs/auto.yaml\n  canonical/auto:\n    rule: canonicalize\n    deps: [//raw/auto]\n    config: configs/canonical.yaml\n',
      // 2023: 3 symbols x 250 sessions = 750 bars (flat files); 2024: two weeks (REST).
      'configs/auto.yaml': `symbols: [${symbols.join(', ')}]\nstart: "2023-01-01"\nend: "2024-01-12"\nrouting: { flatfiles_min_bars: 500, flatfiles_min_sessions: 20 }\nrest: { base_url: "${rest.url}", rate_per_second: 10000 }\nflatfiles: { endpoint: "${flat.url}" }\n`,
      'configs/canonical.yaml': 'vendors:\n  - name: polygon\n    from: //raw/auto\nduplicates: fail\n',
    });
    symlinkSync(join(REPO_ROOT, 'rules'), join(ws.root, 'rules'));
    symlinkSync(join(REPO_ROOT, 'src'), join(ws.root, 'src'));
    process.env.POLYGON_API_KEY = 'rk';
    process.env.POLYGON_S3_ACCESS_KEY_ID = 'AK';
    process.env.POLYGON_S3_SECRET_ACCESS_KEY = 'sk';
    try {
      const r = await ws.build('--jobs', '0');
      expect(r.code).toBe(0);
      const fetched = async (year: string) =>
        JSON.parse((await ws.cli('show', `//raw/auto@year=${year}`, '--json')).out).manifest.fetched;
      expect(await fetched('2023')).toMatchObject({
        route: 'flatfiles',
        reason: '750 bars over 250 sessions: at least 500 bars and 20 sessions',
        rows: 750,
      });
      expect(await fetched('2024')).toMatchObject({
        route: 'rest',
        reason: '27 bars over 9 sessions: under 500 bars or 20 sessions',
        rows: 27,
      });
      expect(JSON.parse(ws.read('cache/out/canonical/auto/validation.json'))).toMatchObject({
        rows_out: 777,
        rejected: 0,
        gaps: {},
      });
    } finally {
      for (const k of ['POLYGON_API_KEY', 'POLYGON_S3_ACCESS_KEY_ID', 'POLYGON_S3_SECRET_ACCESS_KEY'])
        delete process.env[k];
      await rest.close();
      await flat.close();
      ws.dispose();
    }
  });
});
