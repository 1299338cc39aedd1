import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { costModelSchema } from '../../src/costs/cost-model.js';
import { riskConfigSchema } from '../../src/execution/risk-config.js';
import { BrokerError } from '../../src/execution/broker.js';
import { runReplaySession } from '../../src/execution/replay-session.js';
import { SimulatedExchange } from '../../src/execution/simulated-exchange.js';

const f64 = (xs: number[]) => Float64Array.from(xs);

describe('replay session', () => {
  const bars = {
    dates: ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08'],
    symbols: ['AAA'],
    open: [f64([100, 100, 100, 60, 60])],
    close: [f64([100, 100, 60, 60, 60])],
    volume: [f64([1e6, 1e6, 1e6, 1e6, 1e6])],
  };

  it('buys on the next bar, then a crash fires the daily-loss kill switch, which flattens on the next bar and trades no more', async () => {
    const record = await runReplaySession({
      bars,
      costs: costModelSchema.parse({}),
      initialCash: 10_000,
      risk: riskConfigSchema.parse({ max_position_fraction: 1, max_daily_loss: 0.1 }),
      runId: 'test',
      decide: (t) => [
        {
          id: `${bars.dates[t]}:AAA`,
          symbol: 'AAA',
          side: 'buy',
          quantity: 50,
          reason: 'always buy',
          estimated_price: bars.close[0]![t]!,
          decided_at: bars.dates[t]!,
        },
      ],
    });
    // Bought 50 at the 2024-01-03 open, 50 more at the 01-04 open; the close of 60 is a 40% loss on 100 shares.
    expect(record.fills.map((f) => [f.date, f.shares])).toEqual([
      ['2024-01-03', 50],
      ['2024-01-04', 50],
      ['2024-01-05', -100],
    ]);
    expect(record.final_state).toBe('HALTED');
    expect(record.halt_reason).toMatch(/daily loss limit/);
    expect(record.intents.at(-1)).toMatchObject({ reduce_only: true, side: 'sell', quantity: 100 });
    expect(record.decisions.filter((d) => d.action !== 'reject')).toHaveLength(3);
    expect(record.reconciliation).toEqual({ start: [], end: [] });
    expect(record.broker.end.positions).toEqual([]);
    expect(record.equity.at(-1)!.equity).toBeCloseTo(10_000 - 100 * 40, 9);
  });
});

describe('replay session safety', () => {
  const T = 6;
  const flat = (x: number) => f64(Array.from({ length: T }, () => x));
  const bars = {
    dates: ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08', '2024-01-09'],
    symbols: ['AAA'],
    open: [flat(100)],
    close: [flat(100)],
    volume: [flat(1e6)],
  };
  const buyEveryBar = (t: number) => [
    {
      id: `${bars.dates[t]}:AAA`,
      symbol: 'AAA',
      side: 'buy' as const,
      quantity: 10,
      reason: 'buy',
      estimated_price: 100,
      decided_at: bars.dates[t]!,
    },
  ];
  const base = {
    bars,
    costs: costModelSchema.parse({}),
    initialCash: 10_000,
    risk: riskConfigSchema.parse({ max_position_fraction: 1 }),
    runId: 'safety',
    decide: buyEveryBar,
  };

  it('the manual kill switch halts before the next decision, cancels and flattens', async () => {
    let asked = 0;
    const record = await runReplaySession({ ...base, killSwitch: () => (++asked >= 3 ? 'operator says stop' : null) });
    expect(record.final_state).toBe('HALTED');
    expect(record.halt_reason).toBe('manual kill switch: operator says stop');
    // Bought on bars 1 and 2; killed before the third decision; flattened on bar 3; nothing after.
    expect(record.fills.map((f) => [f.date, f.shares])).toEqual([
      ['2024-01-03', 10],
      ['2024-01-04', 10],
      ['2024-01-05', -20],
    ]);
  });

  it('a ledger that disagrees with the broker at the start halts the session before any order', async () => {
    const exchange = new SimulatedExchange(bars, base.costs, base.initialCash);
    exchange.adoptPosition('AAA', 5); // a trade nobody told the ledger about
    const record = await runReplaySession({ ...base, exchange });
    expect(record.reconciliation.start).toEqual([{ symbol: 'AAA', ledger: 0, broker: 5 }]);
    expect(record.final_state).toBe('HALTED');
    expect(record.halt_reason).toMatch(/reconciliation at the start/);
    expect(record.orders).toEqual([]);
  });

  it('consecutive broker failures fire the kill switch', async () => {
    class DownExchange extends SimulatedExchange {
      override async submitOrder(): Promise<never> {
        throw new BrokerError('503 service unavailable', 'server');
      }
    }
    const record = await runReplaySession({ ...base, exchange: new DownExchange(bars, base.costs, base.initialCash) });
    expect(record.final_state).toBe('HALTED');
    expect(record.halt_reason).toMatch(/^3 consecutive broker failures: .*503 service unavailable/);
    expect(record.orders.filter((o) => o.status === 'failed')).toHaveLength(3); // the fourth decision never came
    expect(record.fills).toEqual([]);
  });

  it('property: with broker errors, price moves and random intents, nothing but reduce-only orders reach the broker while halted, and risk-adding orders stay within the limits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1e6 }),
        fc.array(fc.double({ min: -0.15, max: 0.15, noNaN: true }), { minLength: 12, maxLength: 12 }),
        async (seed, moves) => {
          let x = seed;
          const rand = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 4294967296;
          const closes: number[] = [100];
          for (const m of moves.slice(1)) closes.push(closes.at(-1)! * (1 + m));
          const dates = closes.map((_, t) => new Date(Date.UTC(2024, 0, 2 + t)).toISOString().slice(0, 10));
          const b = {
            dates,
            symbols: ['AAA', 'BBB'],
            open: [f64(closes), f64(closes.map((c) => c / 2))],
            close: [f64(closes), f64(closes.map((c) => c / 2))],
            volume: [f64(closes.map(() => 1e6)), f64(closes.map(() => 1e6))],
          };
          const risk = riskConfigSchema.parse({
            max_position_fraction: 0.4,
            max_gross_leverage: 1,
            max_daily_loss: 0.08,
            max_order_notional: 5_000,
            min_order_notional: 0,
          });
          class FlakyExchange extends SimulatedExchange {
            override async submitOrder(order: Parameters<SimulatedExchange['submitOrder']>[0]) {
              if (rand() < 0.3) throw new BrokerError('503 unavailable', 'server');
              return super.submitOrder(order);
            }
          }
          const record = await runReplaySession({
            bars: b,
            costs: costModelSchema.parse({}),
            initialCash: 10_000,
            risk,
            runId: `p${seed}`,
            exchange: new FlakyExchange(b, costModelSchema.parse({}), 10_000),
            decide: (t) =>
              ['AAA', 'BBB'].map((symbol, i) => ({
                id: `${dates[t]}:${symbol}`,
                symbol,
                side: rand() < 0.6 ? ('buy' as const) : ('sell' as const),
                quantity: 1 + Math.floor(rand() * 80),
                reason: 'random',
                estimated_price: b.close[i]![t]!,
                decided_at: dates[t]!,
              })),
          });
          const byIntent = new Map(record.decisions.map((d) => [d.intent_id, d]));
          const intents = new Map(record.intents.map((i) => [i.id, i]));
          for (const o of record.orders) {
            const d = byIntent.get(o.intent_id)!;
            if (d.state === 'HALTED') expect(intents.get(o.intent_id)!.reduce_only).toBe(true);
            expect(o.qty * intents.get(o.intent_id)!.estimated_price).toBeLessThanOrEqual(
              risk.max_order_notional + 1e-6,
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
