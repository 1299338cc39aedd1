import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlpacaTradingServer } from '../../src/devservers/alpaca-trading-server.js';
import { linkRepoRules } from '../helpers/dow30-workspace.js';
import { governanceWorkspace } from '../helpers/governance-workspace.js';
import type { TestWorkspace } from '../helpers/workspace.js';

const TARGET = `  paper/alpaca/tiny:
    rule: alpaca_paper_session
    deps: [//experiments/tiny, //promotions/candidate/tiny, //canonical/dow30, //features/dow30]
    srcs: [ledger/paper/tiny.jsonl]
    config: paper_alpaca.yaml
    tags: [manual]
`;

describe('an Alpaca paper target (//paper/alpaca/...): built only when named, keys from the environment', () => {
  const KEY_ID = 'PKTARGET0123456789';
  const SECRET = 'sk-target-secret-5a4b3c';
  let ws: TestWorkspace;
  let server: Awaited<ReturnType<typeof startAlpacaTradingServer>>;
  const keys = () => Object.assign(process.env, { APCA_API_KEY_ID: KEY_ID, APCA_API_SECRET_KEY: SECRET });
  const noKeys = () => {
    delete process.env.APCA_API_KEY_ID;
    delete process.env.APCA_API_SECRET_KEY;
  };
  const errorOf = (r: { targets: { label: string; error?: string }[] }) =>
    r.targets.find((t) => t.label === '//paper/alpaca/tiny')?.error ?? '';
  beforeAll(async () => {
    ws = linkRepoRules(governanceWorkspace(), ['alpaca_paper_session']);
    ws.write('quanto.pipeline.yaml', ws.read('quanto.pipeline.yaml') + TARGET);
    ws.write(
      'paper_alpaca.yaml',
      'from: {experiment: //experiments/tiny, promotion: //promotions/candidate/tiny}\naccount_ledger: ledger/paper/tiny.jsonl\nrisk: {max_position_fraction: 0.5, max_daily_loss: 0.5}\n',
    );
    ws.write('ledger/paper/tiny.jsonl', '');
    server = await startAlpacaTradingServer({
      keyId: KEY_ID,
      secretKey: SECRET,
      cash: 1_000_000,
      prices: { AA: 60, GE: 80, IBM: 150 },
    });
    Object.assign(process.env, {
      APCA_API_BASE_URL: server.url,
      QUANTO_NOW: '1996-12-31T22:00:00Z',
      QUANTO_USER: 'trader',
    });
  }, 120_000);
  afterAll(async () => {
    for (const k of ['APCA_API_KEY_ID', 'APCA_API_SECRET_KEY', 'APCA_API_BASE_URL', 'QUANTO_NOW', 'QUANTO_USER'])
      delete process.env[k];
    await server?.close();
    ws?.dispose();
  });

  it('//... leaves it out; named without keys it fails saying which variables to set', async () => {
    noKeys();
    const all = await ws.build('--jobs', '0', '//...');
    expect(all.code).toBe(0);
    expect(all.status['//paper/alpaca/tiny']).toBeUndefined();
    const r = await ws.build('--jobs', '0', '//paper/alpaca/tiny');
    expect(r.code).toBe(1);
    expect(errorOf(r)).toMatch(/APCA_API_KEY_ID and APCA_API_SECRET_KEY are not set/);
    expect(server.stats.orderSubmissions).toBe(0);
  }, 120_000);

  it('with keys, refuses an experiment its promotion target does not call promoted', async () => {
    keys();
    const r = await ws.build('--jobs', '0', '//paper/alpaca/tiny');
    expect(r.code).toBe(1);
    expect(errorOf(r)).toMatch(
      /refused: \/\/experiments\/tiny is not promoted \(\/\/promotions\/candidate\/tiny: qualified not promoted\)/,
    );
    expect(server.stats.orderSubmissions).toBe(0);
  }, 120_000);

  it('once promoted, trades: orders at the broker, fills in the account ledger, decisions.json; the keys are nowhere', async () => {
    keys();
    expect((await ws.cli('promote', '//experiments/tiny', '--tier', 'candidate', '--reason', 'paper trial')).code).toBe(
      0,
    );
    const r = await ws.build('--jobs', '0', '//paper/alpaca/tiny');
    expect(r.code, errorOf(r)).toBe(0);
    const run = JSON.parse(ws.read('cache/out/paper/alpaca/tiny/decisions.json'));
    expect(run.config).toMatchObject({
      experiment: '//experiments/tiny',
      broker: 'alpaca-paper',
      as_of: '1996-12-31',
      promotion: { reason: 'paper trial' },
    });
    expect(run.orders.length).toBeGreaterThan(0);
    expect(
      server
        .orders()
        .map((o) => o.client_order_id)
        .sort(),
    ).toEqual(run.orders.map((o: { client_order_id: string }) => o.client_order_id).sort());
    const ledger = ws.read('ledger/paper/tiny.jsonl').trim().split('\n').filter(Boolean);
    expect(ledger).toHaveLength(run.fills.length + 1); // its fills, then the session's mark
    expect(run.reconciliation).toEqual({ start: [], end: [] });
    // The fills changed the ledger, a src: the next build runs a session for the same bar, which trades nothing more.
    const before = server.stats.orderSubmissions;
    const again = await ws.build('--jobs', '0', '//paper/alpaca/tiny');
    expect(again.code, errorOf(again)).toBe(0);
    expect(JSON.parse(ws.read('cache/out/paper/alpaca/tiny/decisions.json')).note).toMatch(/already ran/);
    expect(server.stats.orderSubmissions).toBe(before);
    for (const file of [
      'cache/out/paper/alpaca/tiny/decisions.json',
      'cache/logs/paper/alpaca/tiny.jsonl',
      'ledger/paper/tiny.jsonl',
    ]) {
      const text = ws.read(file);
      expect(text).not.toContain(KEY_ID);
      expect(text).not.toContain(SECRET);
    }
  }, 120_000);
});
