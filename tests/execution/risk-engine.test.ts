import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrderIntent } from '../../src/execution/order-intent.js';
import { riskConfigSchema } from '../../src/execution/risk-config.js';
import { RiskEngine, type BookView } from '../../src/execution/risk-engine.js';
import { TradingLedger } from '../../src/execution/trading-ledger.js';

const limits = riskConfigSchema.parse({
  max_gross_leverage: 1,
  max_position_fraction: 0.25,
  max_order_notional: 50_000,
  min_order_notional: 100,
  max_daily_loss: 0.05,
  max_trades_per_minute: 3,
  price_band: 0.1,
});
const prices: Record<string, number> = { AAA: 100, BBB: 50 };

function book(positions: Record<string, number> = {}, cash = 100_000): { ledger: TradingLedger; view: BookView } {
  const ledger = new TradingLedger(cash);
  for (const [symbol, shares] of Object.entries(positions))
    ledger.record({ date: 'd', client_order_id: `seed-${symbol}`, symbol, shares, price: prices[symbol]!, fee: 0 });
  return { ledger, view: ledger.view((s) => prices[s] ?? Number.NaN) };
}

let n = 0;
const intent = (symbol: string, side: 'buy' | 'sell', quantity: number, o: Partial<OrderIntent> = {}): OrderIntent => ({
  id: `i${n++}`,
  symbol,
  side,
  quantity,
  reason: 'test',
  estimated_price: prices[symbol] ?? 1,
  decided_at: '2024-01-02',
  ...o,
});

describe('risk engine', () => {
  it('approves an intent within every limit', () => {
    expect(new RiskEngine(limits).check(intent('AAA', 'buy', 100), book().view, 0)).toMatchObject({
      action: 'approve',
      quantity: 100,
      state: 'ACTIVE',
    });
  });

  it('resizes to the order notional, position and gross leverage limits, in whole shares', () => {
    const r = new RiskEngine(limits);
    // 1,000 x 100 = 100,000 > the 50,000 order cap and the 25% position cap (25,000): 250 shares.
    expect(r.check(intent('AAA', 'buy', 1000), book().view, 0)).toMatchObject({
      action: 'resize',
      quantity: 250,
      reason: expect.stringMatching(/position capped at 25.0%/),
    });
    const loose = new RiskEngine({ ...limits, max_position_fraction: 10, max_order_notional: 1e9 });
    // Already 80,000 of BBB in 100,000 of equity: 20,000 of room under leverage 1.
    const b = book({ BBB: 1600 }, 100_000);
    expect(loose.check(intent('AAA', 'buy', 1000), b.view, 0)).toMatchObject({
      action: 'resize',
      quantity: 200,
      reason: expect.stringMatching(/gross leverage/),
    });
    expect(
      new RiskEngine({ ...limits, max_position_fraction: 10 }).check(intent('AAA', 'buy', 1000), book().view, 0),
    ).toMatchObject({ quantity: 500, reason: expect.stringMatching(/order notional capped at 50000/) });
  });

  it('rejects orders under the minimum size, outside the price band, and past the rate limit', () => {
    const r = new RiskEngine(limits);
    expect(r.check(intent('BBB', 'buy', 1), book().view, 0)).toMatchObject({
      action: 'reject',
      reason: expect.stringMatching(/under the minimum 100/),
    });
    expect(r.check(intent('AAA', 'buy', 10, { estimated_price: 120 }), book().view, 0)).toMatchObject({
      action: 'reject',
      reason: expect.stringMatching(/price sanity/),
    });
    for (let i = 0; i < 3; i++) expect(r.check(intent('AAA', 'buy', 10), book().view, 1000 + i).action).toBe('approve');
    expect(r.check(intent('AAA', 'buy', 10), book().view, 2000)).toMatchObject({
      action: 'reject',
      reason: expect.stringMatching(/rate: 3 orders/),
    });
    expect(r.check(intent('AAA', 'buy', 10), book().view, 62_000).action).toBe('approve'); // a minute later
  });

  it('an unknown instrument halts trading; halted, only reduce-only orders pass', () => {
    const r = new RiskEngine(limits);
    expect(r.check(intent('ZZZ', 'buy', 10), book().view, 0)).toMatchObject({
      action: 'reject',
      reason: expect.stringMatching(/unknown or non-tradable instrument ZZZ/),
    });
    expect(r.state).toBe('HALTED');
    const held = book({ AAA: 100 }, 100_000).view;
    expect(r.check(intent('AAA', 'sell', 50), held, 0).action).toBe('reject'); // not marked reduce-only
    expect(r.check(intent('AAA', 'sell', 100, { reduce_only: true }), held, 0).action).toBe('approve');
    expect(r.check(intent('AAA', 'sell', 150, { reduce_only: true }), held, 0).action).toBe('reject'); // would go short
  });

  it('stale market data halts trading', () => {
    const r = new RiskEngine(limits);
    expect(r.checkMarketData(0, 1000 * limits.stale_after_seconds)).toBe(true);
    expect(r.state).toBe('ACTIVE');
    expect(r.checkMarketData(0, 1000 * (limits.stale_after_seconds + 1))).toBe(false);
    expect(r.haltReason).toMatch(/stale market data: the last bar is \d+ s old/);
    expect(r.check(intent('AAA', 'buy', 10), book().view, 0).action).toBe('reject');
  });

  it('the daily loss limit fires the kill switch; REDUCING lets only risk-reducing orders through', () => {
    const r = new RiskEngine(limits);
    expect(r.mark(96_000, 100_000)).toBe(false);
    expect(r.mark(94_000, 100_000)).toBe(true);
    expect(r.state).toBe('HALTED');
    expect(r.haltReason).toMatch(/daily loss limit/);
    const reducing = new RiskEngine(limits);
    reducing.reduceOnly('manual');
    const held = book({ AAA: 100 }, 100_000).view;
    expect(reducing.check(intent('AAA', 'buy', 10), held, 0).action).toBe('reject');
    expect(reducing.check(intent('AAA', 'sell', 10), held, 0).action).toBe('approve');
  });

  it('property: no sequence of intents and price moves takes the book past a limit, and nothing but reduce-only passes when halted', () => {
    const step = fc.record({
      symbol: fc.constantFrom('AAA', 'BBB'),
      side: fc.constantFrom('buy' as const, 'sell' as const),
      quantity: fc.integer({ min: 1, max: 3000 }),
      move: fc.double({ min: -0.2, max: 0.2, noNaN: true }),
      halt: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const px: Record<string, number> = { AAA: 100, BBB: 50 };
        const ledger = new TradingLedger(100_000);
        const r = new RiskEngine({ ...limits, max_trades_per_minute: 1000 });
        let t = 0;
        for (const s of steps) {
          px[s.symbol] = px[s.symbol]! * (1 + s.move);
          if (s.halt && t % 7 === 6) r.halt('test');
          const view = ledger.view((x) => px[x]!);
          const halted = r.state === 'HALTED';
          const d = r.check(
            {
              id: `p${t}`,
              symbol: s.symbol,
              side: s.side,
              quantity: s.quantity,
              reason: 'p',
              estimated_price: px[s.symbol]!,
              decided_at: 'd',
            },
            view,
            t++ * 1000,
          );
          if (halted) expect(d.action).toBe('reject');
          if (d.action === 'reject') continue;
          const before = view.grossValue();
          ledger.record({
            date: 'd',
            client_order_id: `p${t}`,
            symbol: s.symbol,
            shares: s.side === 'buy' ? d.quantity : -d.quantity,
            price: px[s.symbol]!,
            fee: 0,
          });
          const after = ledger.view((x) => px[x]!);
          // An order that adds exposure leaves the book within the limits (at the decision's prices).
          if (after.grossValue() > before + 1e-9) {
            expect(after.grossValue()).toBeLessThanOrEqual(limits.max_gross_leverage * view.equity + 1e-6);
            expect(Math.abs(ledger.position(s.symbol) * px[s.symbol]!)).toBeLessThanOrEqual(
              limits.max_position_fraction * view.equity + 1e-6,
            );
          }
          expect(d.quantity * px[s.symbol]!).toBeLessThanOrEqual(limits.max_order_notional + 1e-6);
        }
      }),
      { numRuns: 300 },
    );
  });
});
