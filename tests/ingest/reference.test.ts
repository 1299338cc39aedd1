import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { universeAsOf } from '../../src/data/universe/universe.js';
import { PolygonVendor } from '../../src/data/vendors/polygon.js';
import { startPolygonServer, type RunningServer } from '../../src/devservers/polygon-server.js';

describe('Polygon reference endpoints against the local server', () => {
  let server: RunningServer;
  let vendor: PolygonVendor;
  beforeAll(async () => {
    server = await startPolygonServer({ seed: 3, apiKey: 'k', faults: { truncateEvery: 4 } });
    // A page limit of 2 makes every list paginate.
    vendor = new PolygonVendor({
      baseUrl: server.url,
      apiKey: 'k',
      ratePerSecond: 1e6,
      concurrency: 1,
      pageLimit: 2,
      retry: { maxRetries: 5, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2000 },
      random: () => 0.5,
    });
  });
  afterAll(async () => {
    await vendor.close();
    await server.close();
  });

  it('tickers: the paginated list, then details with listing dates; delisted names kept', async () => {
    const tickers = await vendor.tickers();
    expect(tickers.map((t) => [t.symbol, t.type, t.exchange, t.listed, t.delisted])).toEqual([
      ['AAPL', 'CS', 'XNAS', '1980-12-12', null],
      ['GONE', 'CS', 'XNYS', '1995-06-01', '2021-06-30'],
      ['MSFT', 'CS', 'XNAS', '1986-03-13', null],
      ['NEWCO', 'CS', 'XNYS', '2022-09-15', null],
      ['SPY', 'ETF', 'ARCX', '1993-01-29', null],
    ]);
    // Survivorship-free universes from them.
    expect(universeAsOf(tickers, '2021-01-04', { types: ['CS'] })).toEqual(['AAPL', 'GONE', 'MSFT']);
    expect(universeAsOf(tickers, '2023-01-03', { types: ['CS'] })).toEqual(['AAPL', 'MSFT', 'NEWCO']);
  });

  it('splits and dividends become corporate actions (ratio = split_to / split_from)', async () => {
    const actions = await vendor.corporateActions(['AAPL', 'MSFT', 'NEWCO']);
    expect(actions.filter((a) => a.kind === 'split')).toEqual([
      { kind: 'split', symbol: 'AAPL', ex_date: '2020-08-31', ratio: 4 },
      { kind: 'split', symbol: 'NEWCO', ex_date: '2023-05-01', ratio: 0.5 },
    ]);
    const msft = actions.filter((a) => a.kind === 'dividend');
    expect(msft).toHaveLength(24);
    expect(msft[0]).toEqual({ kind: 'dividend', symbol: 'MSFT', ex_date: '2019-02-15', amount: 0.62, currency: 'USD' });
  });

  it('option contracts and the chain snapshot, as canonical rows', async () => {
    const contracts = await vendor.optionContracts('SPY', '2024-03-04');
    expect(contracts).toHaveLength(20);
    expect(contracts[0]).toMatchObject({
      underlying: 'SPY',
      expiry: '2024-04-19',
      right: 'C',
      multiplier: 100,
      style: 'american',
    });
    expect(contracts[0]!.contract).toMatch(/^O:SPY240419C\d{8}$/);
    const chain = await vendor.optionChainSnapshot('SPY', '2024-03-04');
    expect(chain).toHaveLength(20);
    expect(chain.every((r) => r.source === 'vendor' && r.bid <= r.ask && r.date === '2024-03-04')).toBe(true);
    expect(server.faults.injected.truncate).toBeGreaterThan(0); // and the truncated pages were fetched again
  });
});

describe('reference data in a pipeline', () => {
  it('applies Polygon splits to Polygon bars in canonicalize, and keeps ticker metadata beside them', async () => {
    const { symlinkSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { getBars } = await import('../../src/data/query/get-bars.js');
    const { REPO_ROOT, TestWorkspace } = await import('../helpers/workspace.js');
    const server = await startPolygonServer({ seed: 3, apiKey: 'k' });
    const ws = new TestWorkspace({
      'quanto.pipeline.yaml': `targets:
  raw/bars:
    rule: ingest_polygon
    config: configs/bars.yaml
  raw/reference:
    rule: ingest_polygon_reference
    config: configs/reference.yaml
  canonical/bars:
    rule: canonicalize
    deps: [//raw/bars, //raw/reference]
    config: configs/canonical.yaml
`,
      'configs/bars.yaml': `base_url: ${server.url}\nsymbols: [AAPL]\nstart: "2020-08-26"\nend: "2020-09-02"\nrate_per_second: 10000\n`,
      'configs/reference.yaml': `base_url: ${server.url}\nsymbols: [AAPL]\nrate_per_second: 10000\n`,
      'configs/canonical.yaml':
        'vendors:\n  - name: polygon\n    from: //raw/bars\ncorporate_actions: [{from: //raw/reference}]\n',
    });
    symlinkSync(join(REPO_ROOT, 'rules'), join(ws.root, 'rules'));
    symlinkSync(join(REPO_ROOT, 'src'), join(ws.root, 'src'));
    process.env.POLYGON_API_KEY = 'k';
    try {
      const r = await ws.build('--jobs', '0');
      expect(r.code).toBe(0);
      expect(JSON.parse(ws.read('cache/out/raw/reference/tickers.json'))).toEqual([
        {
          symbol: 'AAPL',
          name: 'Apple Inc.',
          exchange: 'XNAS',
          currency: 'USD',
          type: 'CS',
          listed: '1980-12-12',
          delisted: null,
        },
      ]);
      const raw = await getBars(ws.path('cache/out/canonical/bars/equity_bars'), {
        symbols: ['AAPL'],
        start: '2020-08-28',
        end: '2020-08-31',
        adjust: 'none',
      });
      const adj = await getBars(ws.path('cache/out/canonical/bars/equity_bars'), {
        symbols: ['AAPL'],
        start: '2020-08-28',
        end: '2020-08-31',
        adjust: 'splits',
      });
      expect(adj[0]!.close).toBeCloseTo(raw[0]!.close / 4, 10); // before the 4-for-1 split of 2020-08-31
      expect(adj[1]!.close).toBe(raw[1]!.close);
    } finally {
      delete process.env.POLYGON_API_KEY;
      await server.close();
      ws.dispose();
    }
  });
});
