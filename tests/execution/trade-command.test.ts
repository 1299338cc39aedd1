import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlpacaTradingServer } from '../../src/devservers/alpaca-trading-server.js';
import { governanceWorkspace } from '../helpers/governance-workspace.js';
import { filesUnder, type TestWorkspace } from '../helpers/workspace.js';

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
    server = await startAlpacaTradingServer({
      keyId: KEY_ID,
      secretKey: SECRET,
      cash: 1_000_000,
      prices: { AA: 60, GE: 80, IBM: 150 },
    });
    Object.assign(process.env, {
      APCA_API_KEY_ID: KEY_ID,
      APCA_API_SECRET_KEY: SECRET,
      APCA_API_BASE_URL: server.url,
      QUANTO_NOW: '1996-12-31T22:00:00Z',
      QUANTO_USER: 'trader',
    });
    const r = await ws.build('--jobs', '0', '//qualification/tiny');
    if (r.code !== 0) throw new Error(JSON.stringify(r.targets.filter((t) => t.status === 'failed')));
  }, 120_000);
  afterAll(async () => {
    for (const k of ['APCA_API_KEY_ID', 'APCA_API_SECRET_KEY', 'APCA_API_BASE_URL', 'QUANTO_NOW', 'QUANTO_USER'])
      delete process.env[k];
    await server?.close();
    ws?.dispose();
  });

  it('refuses paper trading before a candidate promotion, and live trading without every gate', async () => {
    const paper = await trade('--broker', 'alpaca-paper');
    expect(paper.code).toBe(1);
    expect(paper.err).toMatch(/no candidate promotion record/);
    const live = await trade('--broker', 'alpaca-live');
    expect(live.code).toBe(1);
    for (const gate of [
      /explicit live flag/,
      /QUANTO_ALLOW_LIVE_TRADING/,
      /production-tier promotion record/,
      /confirmation was not typed/,
    ])
      expect(live.err).toMatch(gate);
    expect(server.stats.orderSubmissions).toBe(0);
  }, 120_000);

  it('trades the promoted policy: orders at the broker, fills in the ledger, decisions.json, reconciled', async () => {
    expect((await ws.cli('promote', '//experiments/tiny', '--tier', 'candidate', '--reason', 'paper trial')).code).toBe(
      0,
    );
    // The account already holds 500 of each, in the ledger and at the broker: whichever way the
    // policy leans, it has something to trade.
    const seeded = ['AA', 'GE', 'IBM'].map((symbol, seq) => ({
      seq,
      date: '1996-12-30',
      client_order_id: `seed-${symbol}`,
      symbol,
      shares: 500,
      price: 50,
      fee: 0,
      cash_after: 1_000_000 - 25_000 * (seq + 1),
      position_after: 500,
    }));
    ws.write('ledger/paper/tiny.jsonl', seeded.map((e) => JSON.stringify(e)).join('\n') + '\n');
    for (const e of seeded) server.adjustPosition(e.symbol, 500);
    const r = await trade('--broker', 'alpaca-paper');
    expect(r.code, r.out + r.err).toBe(0);
    const run = JSON.parse(ws.read('runs/tiny/1996-12-31-paper/decisions.json'));
    expect(run.config).toMatchObject({ experiment: '//experiments/tiny', broker: 'alpaca-paper', as_of: '1996-12-31' });
    expect(run.orders.length).toBeGreaterThan(0);
    expect(
      server
        .orders()
        .map((o) => o.client_order_id)
        .sort(),
    ).toEqual(run.orders.map((o: { client_order_id: string }) => o.client_order_id).sort());
    const ledger = ws
      .read('ledger/paper/tiny.jsonl')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // The seeded fills, this session's, then its mark.
    expect(ledger).toHaveLength(3 + run.fills.length + 1);
    expect(ledger.at(-1)).toEqual({ session: run.config.as_of, run_id: `//experiments/tiny@${run.config.as_of}` });
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
    const echoing = await startAlpacaTradingServer({
      keyId: 'PKSOMEONEELSE000',
      secretKey: 'not-our-secret',
      cash: 1_000_000,
      prices: { AA: 60, GE: 80, IBM: 150 },
      echoRequest: true,
    });
    process.env.APCA_API_BASE_URL = echoing.url;
    process.env.QUANTO_NOW = '1997-01-03T22:00:00Z';
    try {
      const r = await trade('--broker', 'alpaca-paper');
      // A refused key is a settings problem: a clear message, exit 2, no stack trace.
      expect(r.code).toBe(2);
      expect(r.err).toMatch(
        /^quanto: error: the broker refused the keys \(401 request is not authorized \(request: .*\[redacted APCA_API_SECRET_KEY\].*check APCA_API_KEY_ID and APCA_API_SECRET_KEY/m,
      );
      expect(r.err).not.toMatch(/internal error| {4}at /);
    } finally {
      process.env.APCA_API_BASE_URL = server.url;
      await echoing.close();
    }
  }, 120_000);

  it('a broker that cannot be reached is a clear error, exit 2', async () => {
    // A port nobody listens on: bind one, then let it go.
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    process.env.APCA_API_BASE_URL = `http://127.0.0.1:${port}`;
    process.env.QUANTO_NOW = '1997-01-06T22:00:00Z';
    try {
      const r = await trade('--broker', 'alpaca-paper');
      expect(r.code, r.out + r.err).toBe(2);
      expect(r.err).toMatch(
        new RegExp(
          `^quanto: error: cannot reach the broker at http://127\\.0\\.0\\.1:${port} \\(network: ECONNREFUSED\\): check APCA_API_BASE_URL`,
          'm',
        ),
      );
    } finally {
      process.env.APCA_API_BASE_URL = server.url;
    }
  }, 120_000);

  it('a risk file is parsed strictly: a misspelled key, a wrong value or a missing file is an error naming the file and line, exit 2', async () => {
    const before = server.stats.orderSubmissions;
    ws.write('risk-typo.yaml', '# limits for the desk\nrsk:\n  max_order_notional: 1000\n');
    let r = await trade('--broker', 'alpaca-paper', '--risk', 'risk-typo.yaml');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^quanto: error: invalid risk file risk-typo\.yaml:$/m);
    expect(r.err).toMatch(/^ {2}risk-typo\.yaml:2:1: key '\(top level\)': Unrecognized key: "rsk"/m);
    expect(r.err).toMatch(/^ {2}risk-typo\.yaml:2:1: key 'risk': Invalid input: expected object/m);
    ws.write('risk-inner.yaml', 'risk:\n  max_order_notional: 1000\n  max_daly_loss: 0.01\n');
    r = await trade('--broker', 'alpaca-paper', '--risk', 'risk-inner.yaml');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/risk-inner\.yaml:3:3: key 'risk': .*\(max_daly_loss\)/);
    r = await trade('--broker', 'alpaca-paper', '--risk', 'no-such-risk.yaml');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^quanto: error: no-such-risk\.yaml: file not found$/m);
    expect(server.stats.orderSubmissions).toBe(before);
  }, 120_000);

  it('a hand-written promotion record unlocks no trading: one field is an error naming the file; a forgery of a real record is refused', async () => {
    const dir = ws.path('promotions/candidate/tiny');
    const fs = await import('node:fs');
    const realFiles = fs.readdirSync(dir);
    const real = JSON.parse(fs.readFileSync(join(dir, realFiles[0]!), 'utf8'));
    const aside = ws.path('promotions-aside');
    fs.renameSync(dir, aside);
    process.env.QUANTO_NOW = '1997-01-07T22:00:00Z';
    const before = server.stats.orderSubmissions;
    try {
      ws.write(
        'promotions/candidate/tiny/forged.json',
        JSON.stringify({ experiment_outputs_digest: real.experiment_outputs_digest }),
      );
      let r = await trade('--broker', 'alpaca-paper');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(
        /^quanto: error: promotions\/candidate\/tiny\/forged\.json: not a promotion record \(format: /m,
      );
      ws.write('promotions/candidate/tiny/forged.json', '{"tier": "candidate",');
      r = await trade('--broker', 'alpaca-paper');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/forged\.json: not valid JSON/);
      // Well-formed, right outputs, but not the qualification built now: refused as if there were none.
      ws.write(
        'promotions/candidate/tiny/forged.json',
        JSON.stringify({ ...real, qualification: { ...real.qualification, report_digest: 'e'.repeat(64) } }),
      );
      r = await trade('--broker', 'alpaca-paper');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/no candidate promotion record of \/\/experiments\/tiny's current outputs/);
      // Nor does a forged production record pass the live gates, every flag set.
      ws.write(
        'promotions/production/tiny/forged.json',
        JSON.stringify({
          ...real,
          tier: 'production',
          shadow: { label: '//shadow/tiny', key: 'a'.repeat(64), outputs_digest: 'b'.repeat(64) },
          qualification: { ...real.qualification, report_digest: 'e'.repeat(64) },
        }),
      );
      process.env.QUANTO_ALLOW_LIVE_TRADING = 'yes';
      r = await trade('--broker', 'alpaca-live', '--live', '--confirm', 'LIVE //experiments/tiny');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/production-tier promotion record/);
      expect(server.stats.orderSubmissions).toBe(before);
    } finally {
      delete process.env.QUANTO_ALLOW_LIVE_TRADING;
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(ws.path('promotions/production'), { recursive: true, force: true });
      fs.renameSync(aside, dir);
    }
  }, 120_000);

  it('a ledger line edited by hand is refused with its file and line before anything is sent, exit 2', async () => {
    const ledger = ws.path('ledger/paper/tiny.jsonl');
    const fs = await import('node:fs');
    const before = fs.readFileSync(ledger, 'utf8');
    const lines = before.trim().split('\n');
    const edited = JSON.parse(lines[1]!);
    delete edited.price;
    lines[1] = JSON.stringify({ ...edited, note: 'fixed by hand' });
    fs.writeFileSync(ledger, `${lines.join('\n')}\n`);
    process.env.QUANTO_NOW = '1997-01-08T22:00:00Z';
    const sent = server.stats.orderSubmissions;
    try {
      const r = await trade('--broker', 'alpaca-paper');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(
        /^quanto: error: .*ledger\/paper\/tiny\.jsonl:2: not a ledger line \(price: .*\(root\): Unrecognized key: "note"/m,
      );
      expect(server.stats.orderSubmissions).toBe(sent);
    } finally {
      fs.writeFileSync(ledger, before);
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
