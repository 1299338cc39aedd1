import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlpacaTradingServer } from '../../src/devservers/alpaca-trading-server.js';
import { dow30Workspace } from '../helpers/dow30-workspace.js';
import type { TestWorkspace } from '../helpers/workspace.js';

/**
 * A user's own strategy carried the whole way: backtested, qualified against its declared
 * baseline, promoted, shadow-replayed, and traded on an Alpaca-compatible paper account (the
 * manual target and `quanto trade`), each refused until a promotion covers the backtest's
 * current outputs, which include the strategy's settings and the digest of its code.
 */
const STEADY = (scale: string) => `import { z } from 'zod';
// Holds \`exposure\` of the account, split evenly over its symbols, on every bar.
export default {
  name: 'steady',
  version: 1,
  config: z.object({ exposure: z.number().positive().max(1) }).strict(),
  weights: (panel, c) => panel.close.map((close) => Float64Array.from(close, () => (${scale} * c.exposure) / panel.symbols.length)),
};
`;

const TARGETS = `  backtests/steady:
    rule: backtest
    deps: [//canonical/dow30]
    config: bt_steady.yaml
  backtests/hold:
    rule: backtest
    deps: [//canonical/dow30]
    config: bt_hold.yaml
  qualification/steady:
    rule: qualification
    deps: [//backtests/steady, //backtests/hold]
    srcs: [ledger/holdout.jsonl]
    config: gates.yaml
  promotions/candidate/steady:
    rule: promotion_status
    deps: [//backtests/steady, //qualification/steady]
    srcs: [promotions/candidate/steady/*.json]
    config: promotion.yaml
  shadow/steady:
    rule: shadow_replay
    deps: [//backtests/steady, //promotions/candidate/steady, //canonical/dow30]
    config: shadow.yaml
    tags: [manual]
  shadow/other_settings:
    rule: shadow_replay
    deps: [//backtests/steady, //promotions/candidate/steady, //canonical/dow30]
    config: shadow_other.yaml
    tags: [manual]
  paper/steady:
    rule: paper_session
    deps: [//canonical/dow30]
    config: paper.yaml
  paper/alpaca/steady:
    rule: alpaca_paper_session
    deps: [//backtests/steady, //promotions/candidate/steady, //canonical/dow30]
    srcs: [ledger/paper/steady.jsonl]
    config: alpaca.yaml
    tags: [manual]
`;

const COSTS = '{execution: {price: close}, fees: {bps: 1}}';
/** Sized to a volatility target: the sessions must size as the backtest recorded. */
const SIZING = '{kind: volatility_target, annual_vol: 0.15, window: 20}';
const RISK = 'risk: {max_position_fraction: 0.5, max_daily_loss: 0.5, price_band: 1}\n';
const SESSION_FROM =
  'from: {backtest: //backtests/steady, bars: //canonical/dow30, promotion: //promotions/candidate/steady}\n';

function promotionWorkspace(): TestWorkspace {
  return dow30Workspace({
    targets: TARGETS,
    files: {
      'strategies/steady.ts': STEADY('1'),
      'strategy.yaml': 'strategy: {kind: steady, exposure: 0.9}\n',
      'bt_steady.yaml': `extends: strategy.yaml
from: //canonical/dow30
symbols: [AA, GE, IBM]
start: '1995-01-01'
end: '1996-12-31'
costs: ${COSTS}
account: {initial_cash: 100000}
sizing: ${SIZING}
`,
      'bt_hold.yaml': `from: //canonical/dow30
symbols: [AA, GE, IBM]
start: '1995-01-01'
end: '1996-12-31'
strategy: {kind: buy_and_hold}
costs: ${COSTS}
account: {initial_cash: 100000}
`,
      'gates.yaml': `from: {candidate: //backtests/steady, baseline: //backtests/hold}
family: steady
hard:
  - {name: max_drawdown, metric: max_drawdown, op: '>=', threshold: -0.9}
  - {name: deflated_sharpe, metric: deflated_sharpe, op: '>=', threshold: 0}
`,
      'promotion.yaml':
        'from: {candidate: //backtests/steady, qualification: //qualification/steady}\ntier: candidate\npromotions: promotions/candidate/steady/*.json\n',
      'shadow.yaml': `extends: strategy.yaml\n${SESSION_FROM}window: {start: '1996-07-01', end: '1996-12-31'}\n${RISK}`,
      'shadow_other.yaml': `strategy: {kind: steady, exposure: 0.5}\n${SESSION_FROM}window: {start: '1996-07-01', end: '1996-12-31'}\n${RISK}`,
      'paper.yaml': `extends: strategy.yaml
from: //canonical/dow30
symbols: [AA, GE, IBM]
window: {start: '1996-07-01', end: '1996-12-31'}
costs: ${COSTS}
initial_cash: 100000
sizing: ${SIZING}
${RISK}`,
      'alpaca.yaml': `extends: strategy.yaml\n${SESSION_FROM}account_ledger: ledger/paper/steady.jsonl\n${RISK}`,
      'ledger/holdout.jsonl': '',
      'ledger/paper/steady.jsonl': '',
    },
    rules: ['backtest', 'qualification', 'promotion_status', 'shadow_replay', 'paper_session', 'alpaca_paper_session'],
  });
}

describe('a strategy from backtest to broker: qualified, promoted, shadow-replayed, paper-traded', () => {
  const KEY_ID = 'PKSTRATEGY0123456789';
  const SECRET = 'sk-strategy-secret-77aa';
  let ws: TestWorkspace;
  let server: Awaited<ReturnType<typeof startAlpacaTradingServer>>;
  const errorOf = (r: { targets: { label: string; error?: string }[] }, label: string) =>
    r.targets.find((t) => t.label === label)?.error ?? '';
  const trade = () => ws.cli('trade', '//backtests/steady', '--broker', 'alpaca-paper');

  beforeAll(async () => {
    ws = promotionWorkspace();
    server = await startAlpacaTradingServer({
      keyId: KEY_ID,
      secretKey: SECRET,
      cash: 10_000_000,
      prices: { AA: 60, GE: 80, IBM: 150 },
    });
    Object.assign(process.env, {
      APCA_API_KEY_ID: KEY_ID,
      APCA_API_SECRET_KEY: SECRET,
      APCA_API_BASE_URL: server.url,
      QUANTO_NOW: '1996-12-30T22:00:00Z',
      QUANTO_USER: 'researcher',
    });
    const r = await ws.build('--jobs', '0', '//promotions/candidate/steady', '//paper/steady');
    if (r.code !== 0) throw new Error(JSON.stringify(r.targets.filter((t) => t.status === 'failed')));
  }, 180_000);
  afterAll(async () => {
    for (const k of ['APCA_API_KEY_ID', 'APCA_API_SECRET_KEY', 'APCA_API_BASE_URL', 'QUANTO_NOW', 'QUANTO_USER'])
      delete process.env[k];
    await server?.close();
    ws?.dispose();
  });

  it('the backtest records what it traded: the settings, the module and the digest of its code', () => {
    const record = JSON.parse(ws.read('cache/out/backtests/steady/strategy.json'));
    expect(record).toMatchObject({
      format: 'quanto-backtested-strategy/1',
      strategy: { kind: 'steady', exposure: 0.9 },
      file: 'strategies/steady.ts',
      shape: 'vectorized',
      from: '//canonical/dow30',
      symbols: ['AA', 'GE', 'IBM'],
      initial_cash: 100000,
      sizing: { kind: 'volatility_target', annual_vol: 0.15, window: 20, estimator: 'realized' },
    });
    expect(record.source_digest).toMatch(/^[0-9a-f]{64}$/);
    const status = JSON.parse(ws.read('cache/out/promotions/candidate/steady/promotion/status.json'));
    expect(status).toMatchObject({ experiment: '//backtests/steady', state: 'qualified_not_promoted' });
  });

  it('before a promotion, the shadow replay, the Alpaca target and quanto trade are all refused; nothing is sent', async () => {
    const shadow = await ws.build('--jobs', '0', '//shadow/steady');
    expect(shadow.code).toBe(1);
    expect(errorOf(shadow, '//shadow/steady')).toMatch(/refused: \/\/backtests\/steady is not promoted/);
    const alpaca = await ws.build('--jobs', '0', '//paper/alpaca/steady');
    expect(alpaca.code).toBe(1);
    expect(errorOf(alpaca, '//paper/alpaca/steady')).toMatch(/is not promoted/);
    const t = await trade();
    expect(t.code).toBe(1);
    expect(t.err).toMatch(/no candidate promotion record of \/\/backtests\/steady/);
    expect(server.stats.orderSubmissions).toBe(0);
  }, 180_000);

  it('once promoted, its shadow replay trades exactly as its paper session on the simulated broker', async () => {
    const p = await ws.cli('promote', '//backtests/steady', '--tier', 'candidate', '--reason', 'strategy trial');
    expect(p.code, p.out + p.err).toBe(0);
    const r = await ws.build('--jobs', '0', '//shadow/steady');
    expect(r.code, JSON.stringify(r.targets)).toBe(0);
    expect(ws.read('cache/out/shadow/steady/shadow/equity.jsonl')).toBe(ws.read('cache/out/paper/steady/equity.jsonl'));
    const fills = (text: string) =>
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .map(({ date, symbol, shares, price, fee }) => ({ date, symbol, shares, price, fee }));
    const shadowFills = fills(ws.read('cache/out/shadow/steady/shadow/fills.jsonl'));
    expect(shadowFills.length).toBeGreaterThan(0);
    expect(shadowFills).toEqual(fills(ws.read('cache/out/paper/steady/ledger.jsonl')));
    const replay = JSON.parse(ws.read('cache/out/shadow/steady/shadow/replay.json'));
    const record = JSON.parse(ws.read('cache/out/backtests/steady/strategy.json'));
    expect(replay).toMatchObject({
      backtest: '//backtests/steady',
      strategy: { kind: 'steady', exposure: 0.9 },
      strategy_source_digest: record.source_digest,
    });
  }, 180_000);

  it('a session naming other settings than those backtested and promoted is refused', async () => {
    const r = await ws.build('--jobs', '0', '//shadow/other_settings');
    expect(r.code).toBe(1);
    expect(errorOf(r, '//shadow/other_settings')).toMatch(
      /refused: this session's strategy .*"exposure":0.5.* is not the one \/\/backtests\/steady backtested/,
    );
  }, 180_000);

  it('the Alpaca paper target and quanto trade make the strategy’s decision on the latest bar', async () => {
    const r = await ws.build('--jobs', '0', '//paper/alpaca/steady');
    expect(r.code, JSON.stringify(r.targets.filter((t) => t.status === 'failed'))).toBe(0);
    const session = JSON.parse(ws.read('cache/out/paper/alpaca/steady/decisions.json'));
    expect(session.config).toMatchObject({
      backtest: '//backtests/steady',
      strategy: { kind: 'steady', exposure: 0.9 },
      broker: 'alpaca-paper',
      as_of: '1996-12-30',
    });
    // A fresh account: each symbol's volatility-targeted share of it is a buy.
    expect(session.orders.map((o: { symbol: string; side: string }) => `${o.side} ${o.symbol}`).sort()).toEqual([
      'buy AA',
      'buy GE',
      'buy IBM',
    ]);
    expect(session.fills).toHaveLength(3);
    expect(server.stats.orderSubmissions).toBe(3);

    process.env.QUANTO_NOW = '1996-12-31T22:00:00Z';
    const t = await trade();
    expect(t.code, t.out + t.err).toBe(0);
    const run = JSON.parse(ws.read('runs/steady/1996-12-31-paper/decisions.json'));
    expect(run.config).toMatchObject({ backtest: '//backtests/steady', as_of: '1996-12-31' });
    expect(run.config.strategy_source_digest).toBe(session.config.strategy_source_digest);
    // The ledger the target appended to is the account's: trade reconciles against it, and matches.
    expect(run.reconciliation).toEqual({ start: [], end: [] });
    expect(run.final_state).toBe('ACTIVE');
    // Each session that decided left its mark after its fills: where a restored strategy starts replaying.
    const marks = ws
      .read('ledger/paper/steady.jsonl')
      .split('\n')
      .filter((l) => l.startsWith('{"session"'))
      .map((l) => JSON.parse(l));
    expect(marks).toEqual([
      { session: '1996-12-30', run_id: '//backtests/steady@1996-12-30' },
      { session: '1996-12-31', run_id: '//backtests/steady@1996-12-31' },
    ]);
  }, 180_000);

  it('an edit of the strategy’s code makes the promotion stale: shadow, Alpaca and trade refuse it again', async () => {
    ws.write('strategies/steady.ts', STEADY('0.5'));
    const before = server.stats.orderSubmissions;
    const shadow = await ws.build('--jobs', '0', '//shadow/steady');
    expect(shadow.code).toBe(1);
    expect(errorOf(shadow, '//shadow/steady')).toMatch(/is not promoted/);
    const status = JSON.parse(ws.read('cache/out/promotions/candidate/steady/promotion/status.json'));
    expect(status.stale_records).toHaveLength(1);
    process.env.QUANTO_NOW = '1997-01-02T22:00:00Z';
    const t = await trade();
    expect(t.code).toBe(1);
    expect(t.err).toMatch(/no candidate promotion record/);
    expect(server.stats.orderSubmissions).toBe(before);
  }, 180_000);
});
