import { describe, expect, it } from 'vitest';
import { optionChainRowSchema } from '../../src/data/schemas/options.js';
import { chainRowsToCsv, generateOptionChains, modelVol, monthlyExpiries, syntheticChainParamsSchema } from '../../src/data/synthetic/option-chains.js';
import { blackScholes } from '../../src/options/black-scholes.js';

const params = syntheticChainParamsSchema.parse({ seed: 7 });
const closes = [
  { date: '2019-04-01', close: 2867.19 },
  { date: '2019-04-02', close: 2867.24 },
  { date: '2019-04-03', close: 2873.4 },
];

describe('synthetic option chains', () => {
  it('expire on third Fridays, or the session before when the exchange is closed', () => {
    expect(monthlyExpiries('2019-04-01', 3)).toEqual(['2019-04-18', '2019-05-17', '2019-06-21']); // 2019-04-19 was Good Friday
    expect(monthlyExpiries('2019-05-17', 1)).toEqual(['2019-06-21']); // strictly after the quote date
  });

  it('are deterministic from the seed, valid canonical chain rows, and labelled synthetic', () => {
    const a = generateOptionChains('^GSPC', closes, params);
    expect(chainRowsToCsv(generateOptionChains('^GSPC', closes, params))).toBe(chainRowsToCsv(a));
    const other = generateOptionChains('^GSPC', closes, { ...params, seed: 8 });
    expect(other.map((r) => r.open_interest)).not.toEqual(a.map((r) => r.open_interest));
    expect(other.map((r) => [r.bid, r.ask])).toEqual(a.map((r) => [r.bid, r.ask])); // the seed moves only OI and volume
    expect(a).toHaveLength(3 * 4 * 9 * 2);
    for (const row of a) {
      expect(row.source).toBe('synthetic');
      const parsed = optionChainRowSchema.safeParse(row);
      expect(parsed.success, JSON.stringify(row)).toBe(true);
    }
  });

  it('price at the model volatility, with skew, smile and term structure from the parameters', () => {
    const rows = generateOptionChains('^GSPC', closes.slice(0, 1), params);
    const near = rows.filter((r) => r.expiry === '2019-04-18' && r.right === 'P');
    const ivs = near.map((r) => r.vendor_iv);
    const atm = near.reduce((best, r) => (Math.abs(r.strike - 2867.19) < Math.abs(best.strike - 2867.19) ? r : best));
    expect(ivs[0]).toBeGreaterThan(atm.vendor_iv); // downside puts richer: negative skew and smile
    // With a stronger smile than skew, the wing above the money turns up again.
    const smiley = { ...params, vol: { ...params.vol, skew: -0.1, smile: 2 } };
    const calls = generateOptionChains('^GSPC', closes.slice(0, 1), smiley).filter((r) => r.expiry === '2019-04-18' && r.right === 'C');
    expect(calls.at(-1)!.vendor_iv).toBeGreaterThan(Math.min(...calls.map((r) => r.vendor_iv)));
    const far = rows.find((r) => r.expiry === '2019-07-19' && r.strike === atm.strike && r.right === 'P')!;
    expect(far.vendor_iv).toBeGreaterThan(atm.vendor_iv - 0.02); // term slope up, tempered by moneyness drift
    expect(modelVol(params, 0, 1 / 12)).toBeCloseTo(params.vol.atm, 12);
    for (const r of rows) {
      const t = (Date.parse(r.expiry) - Date.parse(r.date)) / 86_400_000 / 365;
      const { price } = blackScholes({ type: r.right === 'C' ? 'call' : 'put', spot: 2867.19, strike: r.strike, t, rate: params.rate, divYield: params.div_yield, vol: r.vendor_iv });
      expect(Math.abs((r.bid + r.ask) / 2 - price)).toBeLessThan(0.011 + (price < params.spread.min ? params.spread.min : 0));
    }
  });

  it('never look ahead: changing later closes leaves earlier chains as they were', () => {
    const base = generateOptionChains('^GSPC', closes, params);
    const perturbed = generateOptionChains('^GSPC', [...closes.slice(0, 2), { date: '2019-04-03', close: 4000 }], params);
    const before = (rows: typeof base) => rows.filter((r) => r.date < '2019-04-03');
    expect(before(perturbed)).toEqual(before(base));
    expect(perturbed.filter((r) => r.date === '2019-04-03')).not.toEqual(base.filter((r) => r.date === '2019-04-03'));
  });
});

describe('the synthetic chains target reads validated canonical bars, never the raw file', () => {
  it("a close of 'abc' in the sample fails the canonical bars with its file and line, and no chains are built over a day short", async () => {
    const { readFileSync, symlinkSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { REPO_ROOT, TestWorkspace } = await import('../helpers/workspace.js');
    const sample = readFileSync(join(REPO_ROOT, 'data/sample/spx_daily_ohlcv_2000_2020.csv'), 'utf8').split('\n');
    const line = sample.findIndex((l) => l.startsWith('^GSPC,2019-03-01,'));
    const cols = sample[line]!.split(',');
    cols[5] = 'abc';
    sample[line] = cols.join(',');
    const ws = new TestWorkspace({
      'quanto.pipeline.yaml': `targets:
  raw/equity_ohlcv:
    rule: ingest_embedded
    config: configs/ingest/embedded.yaml
    srcs: [data/sample/spx_daily_ohlcv_2000_2020.csv]
  canonical/equity_ohlcv:
    rule: canonicalize
    deps: [//raw/equity_ohlcv]
    config: configs/data/canonical_equity_ohlcv.yaml
  raw/option_chains_synthetic:
    rule: ingest_synthetic_options
    deps: [//canonical/equity_ohlcv]
    config: configs/ingest/synthetic_options.yaml
`,
      'configs/ingest/embedded.yaml': 'datasets: [spx_daily]\n',
      'configs/data/canonical_equity_ohlcv.yaml': readFileSync(join(REPO_ROOT, 'configs/data/canonical_equity_ohlcv.yaml'), 'utf8'),
      'configs/ingest/synthetic_options.yaml': readFileSync(join(REPO_ROOT, 'configs/ingest/synthetic_options.yaml'), 'utf8'),
      'data/sample/spx_daily_ohlcv_2000_2020.csv': sample.join('\n'),
    });
    symlinkSync(join(REPO_ROOT, 'rules'), join(ws.root, 'rules'));
    symlinkSync(join(REPO_ROOT, 'src'), join(ws.root, 'src'));
    try {
      const r = await ws.build('--jobs', '0', '--keep-going');
      expect(r.status).toEqual({ '//raw/equity_ohlcv': 'built', '//canonical/equity_ohlcv': 'failed', '//raw/option_chains_synthetic': 'skipped' });
      expect(r.targets.find((t) => t.label === '//canonical/equity_ohlcv')!.error).toMatch(/close 'abc' is not a number/);
      expect(r.targets.find((t) => t.label === '//canonical/equity_ohlcv')!.error).toMatch(new RegExp(`:${line + 1}: close 'abc'`));
    } finally {
      ws.dispose();
    }
  });
});
