import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { costModelSchema } from '../../src/costs/cost-model.js';
import { loadLedger, runBrokerSession } from '../../src/execution/broker-session.js';
import { riskConfigSchema } from '../../src/execution/risk-config.js';
import { SimulatedExchange } from '../../src/execution/simulated-exchange.js';

const f64 = (xs: number[]) => Float64Array.from(xs);

/**
 * A broker session (what `quanto trade` runs against Alpaca) takes the same trading step as a
 * replay: here on a simulated exchange standing in for the broker, whose orders fill when the
 * session waits on them.
 */
describe('broker session: the manual kill switch', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const session = async (flattenOnKill: boolean) => {
    dir = mkdtempSync(join(tmpdir(), 'quanto-broker-session-'));
    const ledgerFile = join(dir, 'ledger.jsonl');
    const seed = { seq: 0, date: '2024-01-01', client_order_id: 'seed', symbol: 'AAA', shares: 10, price: 100, fee: 0 };
    writeFileSync(ledgerFile, `${JSON.stringify({ ...seed, cash_after: 9_000, position_after: 10 })}\n`);
    const bars = {
      dates: ['2024-01-02', '2024-01-03'],
      symbols: ['AAA'],
      open: [f64([100, 100])],
      close: [f64([100, 100])],
      volume: [f64([1e6, 1e6])],
    };
    const exchange = new SimulatedExchange(bars, costModelSchema.parse({}), 9_000);
    exchange.adoptPosition('AAA', 10);
    let cancelled = 0;
    const broker = Object.assign(Object.create(exchange) as SimulatedExchange, {
      cancelAllOrders: async () => {
        cancelled += 1;
        await exchange.cancelAllOrders();
      },
    });
    let decided = 0;
    const record = await runBrokerSession({
      broker,
      ledgerFile,
      initialCash: 10_000,
      risk: riskConfigSchema.parse({ max_position_fraction: 1, flatten_on_kill: flattenOnKill }),
      runId: 'test',
      decidedAt: '2024-01-02',
      barTimeMs: Date.parse('2024-01-02T21:00:00Z'),
      nowMs: Date.parse('2024-01-02T21:05:00Z'),
      lastPrice: () => 100,
      decide: () => {
        decided += 1;
        return [];
      },
      killSwitch: () => 'desk says stop',
      sleep: async () => {
        exchange.advance();
      },
    });
    return { record, cancelled, decided };
  };

  it('halts, cancels what is open and flattens, as `quanto kill` promises, with flatten_on_kill', async () => {
    const { record, cancelled, decided } = await session(true);
    expect(record.final_state).toBe('HALTED');
    expect(record.halt_reason).toBe('manual kill switch: desk says stop');
    expect(cancelled).toBe(1);
    expect(decided).toBe(0);
    expect(record.intents).toMatchObject([{ symbol: 'AAA', side: 'sell', quantity: 10, reduce_only: true }]);
    expect(record.fills.map((f) => [f.symbol, f.shares])).toEqual([['AAA', -10]]);
    expect(record.broker.end.positions).toEqual([]);
    expect(record.reconciliation.end).toEqual([]);
  });

  it('halts and cancels, and keeps the positions, without it', async () => {
    const { record, cancelled } = await session(false);
    expect(record.final_state).toBe('HALTED');
    expect(cancelled).toBe(1);
    expect(record.intents).toEqual([]);
    expect(record.broker.end.positions).toEqual([{ symbol: 'AAA', qty: 10 }]);
  });
});

describe('broker session: the ledger remembers which dates decided', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const bars = {
    dates: ['2024-01-02', '2024-01-03', '2024-01-04'],
    symbols: ['AAA'],
    open: [f64([100, 100, 100])],
    close: [f64([100, 100, 100])],
    volume: [f64([1e6, 1e6, 1e6])],
  };
  const sessionOn = (ledgerFile: string, decidedAt: string, decide: () => never[]) =>
    runBrokerSession({
      broker: new SimulatedExchange(bars, costModelSchema.parse({}), 10_000),
      ledgerFile,
      initialCash: 10_000,
      risk: riskConfigSchema.parse({ max_position_fraction: 1 }),
      runId: `test@${decidedAt}`,
      decidedAt,
      barTimeMs: Date.parse(`${decidedAt}T21:00:00Z`),
      nowMs: Date.parse(`${decidedAt}T21:05:00Z`),
      lastPrice: () => 100,
      decide,
    });

  it('a session that decided to do nothing is marked, and a second one for its date does not decide again', async () => {
    dir = mkdtempSync(join(tmpdir(), 'quanto-broker-marks-'));
    const ledgerFile = join(dir, 'ledger.jsonl');
    let decided = 0;
    const decide = () => {
      decided += 1;
      return [];
    };
    await sessionOn(ledgerFile, '2024-01-02', decide);
    expect(readFileSync(ledgerFile, 'utf8')).toBe('{"session":"2024-01-02","run_id":"test@2024-01-02"}\n');
    const again = await sessionOn(ledgerFile, '2024-01-02', decide);
    expect(decided).toBe(1);
    expect(again.note).toMatch(/a session for 2024-01-02 already ran/);
    await sessionOn(ledgerFile, '2024-01-03', decide);
    expect(decided).toBe(2);
    expect(loadLedger(ledgerFile, 10_000).sessions.map((m) => m.session)).toEqual(['2024-01-02', '2024-01-03']);
  });

  it('a session whose decision failed is not marked: once fixed, its date can decide', async () => {
    dir = mkdtempSync(join(tmpdir(), 'quanto-broker-marks-'));
    const ledgerFile = join(dir, 'ledger.jsonl');
    const failed = await sessionOn(ledgerFile, '2024-01-02', () => {
      throw new Error('strategy bug');
    });
    expect(failed.halt_reason).toMatch(/strategy bug/);
    expect(existsSync(ledgerFile) ? readFileSync(ledgerFile, 'utf8') : '').toBe('');
  });

  it('a hand-edited session line is refused with its file and line', () => {
    dir = mkdtempSync(join(tmpdir(), 'quanto-broker-marks-'));
    const ledgerFile = join(dir, 'ledger.jsonl');
    writeFileSync(ledgerFile, '{"session":"2024-01-02","run_id":"a"}\n{"session":"Jan 3"}\n');
    expect(() => loadLedger(ledgerFile, 10_000)).toThrow(/ledger\.jsonl:2: not a session line \(session: .*run_id/);
  });
});
