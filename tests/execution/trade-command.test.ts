import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlpacaTradingServer } from '../../src/devservers/alpaca-trading-server.js';
import { governanceWorkspace } from '../helpers/governance-workspace.js';
import type { TestWorkspace } from '../helpers/workspace.js';

/** Every regular file under a directory (symlinks, like node_modules, not followed). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isSymbolicLink()) return [];
    if (e.isDirectory()) return filesUnder(p);
    return e.isFile() ? [p] : [];
  });
}

describe('quanto trade against a local Alpaca-compatible server', () => {
  const KEY_ID = 'PKREDACTME0123456789';
  const SECRET = 'sk-redact-me-9f8e7d6c5b4a';
  let ws: TestWorkspace;
  let server: Awaited<ReturnType<typeof startAlpacaTradingServer>>;
  const outputs: string[] = [];
  const trade = async (...args: string[]) => {
    const r = await ws.cli('trade', '//experiments/tiny', ...args);
    outputs.push(r.out, r.err);
    return r;
  };
  beforeAll(async () => {
    ws = governanceWorkspace();
    server = await startAlpacaTradingServer({ keyId: KEY_ID, secretKey: SECRET, cash: 1_000_000, prices: { AA: 60, GE: 80, IBM: 150 } });
    Object.assign(process.env, { APCA_API_KEY_ID: KEY_ID, APCA_API_SECRET_KEY: SECRET, APCA_API_BASE_URL: server.url, QUANTO_NOW: '1996-12-31T22:00:00Z', QUANTO_USER: 'trader' });
    const r = await ws.build('--jobs', '0', '//qualification/tiny');
    if (r.code !== 0) throw new Error(JSON.stringify(r.targets.filter((t) => t.status === 'failed')));
  }, 120_000);
  afterAll(async () => {
    for (const k of ['APCA_API_KEY_ID', 'APCA_API_SECRET_KEY', 'APCA_API_BASE_URL', 'QUANTO_NOW', 'QUANTO_USER']) delete process.env[k];
    await server?.close();
    ws?.dispose();
  });

  it('refuses paper trading before a candidate promotion, and live trading without every gate', async () => {
    const paper = await trade('--broker', 'alpaca-paper');
    expect(paper.code).toBe(1);
    expect(paper.err).toMatch(/no candidate promotion record/);
    const live = await trade('--broker', 'alpaca-live');
    expect(live.code).toBe(1);
    for (const gate of [/explicit live flag/, /QUANTO_ALLOW_LIVE_TRADING/, /production-tier promotion record/, /confirmation was not typed/]) expect(live.err).toMatch(gate);
    expect(server.stats.orderSubmissions).toBe(0);
  }, 120_000);

  it('trades the promoted policy: orders at the broker, fills in the ledger, decisions.json, reconciled', async () => {
    expect((await ws.cli('promote', '//experiments/tiny', '--tier', 'candidate', '--reason', 'paper trial')).code).toBe(0);
    // The account already holds 500 of each, in the ledger and at the broker: whichever way the
    // policy leans, it has something to trade.
    const seeded = ['AA', 'GE', 'IBM'].map((symbol, seq) => ({ seq, date: '1996-12-30', client_order_id: `seed-${symbol}`, symbol, shares: 500, price: 50, fee: 0, cash_after: 1_000_000 - 25_000 * (seq + 1), position_after: 500 }));
    ws.write('ledger/paper/tiny.jsonl', seeded.map((e) => JSON.stringify(e)).join('\n') + '\n');
    for (const e of seeded) server.adjustPosition(e.symbol, 500);
    const r = await trade('--broker', 'alpaca-paper');
    expect(r.code, r.out + r.err).toBe(0);
    const run = JSON.parse(ws.read('runs/tiny/1996-12-31-paper/decisions.json'));
    expect(run.config).toMatchObject({ experiment: '//experiments/tiny', broker: 'alpaca-paper', as_of: '1996-12-31' });
    expect(run.orders.length).toBeGreaterThan(0);
    expect(server.orders().map((o) => o.client_order_id).sort()).toEqual(run.orders.map((o: { client_order_id: string }) => o.client_order_id).sort());
    const ledger = ws.read('ledger/paper/tiny.jsonl').trim().split('\n').map((l) => JSON.parse(l));
    expect(ledger).toHaveLength(3 + run.fills.length);
    expect(run.fills.length).toBeGreaterThan(0);
    expect(run.reconciliation).toEqual({ start: [], end: [] });
    expect(run.final_state).toBe('ACTIVE');
  }, 120_000);

  it('running again for the same bar trades nothing more, and the ledger still matches the broker', async () => {
    const before = server.stats.orderSubmissions;
    const r = await trade('--broker', 'alpaca-paper');
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/already ran/);
    expect(server.stats.orderSubmissions).toBe(before);
  }, 120_000);

  it('a position at the broker the ledger does not know halts the next session before any order', async () => {
    server.adjustPosition('GE', 7);
    process.env.QUANTO_NOW = '1997-01-02T22:00:00Z';
    const before = server.stats.orderSubmissions;
    const r = await trade('--broker', 'alpaca-paper');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/HALTED \(reconciliation at the start/);
    expect(server.stats.orderSubmissions).toBe(before);
  }, 120_000);

  it('a broker whose 401 and 500 bodies echo our key headers: quanto trade prints the error with the keys masked', async () => {
    const echoing = await startAlpacaTradingServer({ keyId: 'PKSOMEONEELSE000', secretKey: 'not-our-secret', cash: 1_000_000, prices: { AA: 60, GE: 80, IBM: 150 }, echoRequest: true });
    process.env.APCA_API_BASE_URL = echoing.url;
    process.env.QUANTO_NOW = '1997-01-03T22:00:00Z';
    try {
      const r = await trade('--broker', 'alpaca-paper');
      expect(r.code).not.toBe(0);
      expect(r.out + r.err).toMatch(/request is not authorized \(request: .*\[redacted APCA_API_SECRET_KEY\]/);
    } finally {
      process.env.APCA_API_BASE_URL = server.url;
      await echoing.close();
    }
  }, 120_000);

  it('no artifact, log or output of the runs contains the keys', () => {
    const files = filesUnder(ws.root).filter((f) => statSync(f).size < 50_000_000);
    expect(files.some((f) => f.endsWith('decisions.json'))).toBe(true);
    for (const f of files) {
      const text = readFileSync(f, 'latin1');
      expect(text.includes(KEY_ID), f).toBe(false);
      expect(text.includes(SECRET), f).toBe(false);
    }
    for (const o of outputs) {
      expect(o).not.toContain(KEY_ID);
      expect(o).not.toContain(SECRET);
    }
    expect(existsSync(ws.path('cache', 'logs'))).toBe(true);
  });
});
