import { describe, expect, it } from 'vitest';
import { costModelSchema } from '../../src/costs/cost-model.js';
import { riskConfigSchema } from '../../src/execution/risk-config.js';
import { runReplaySession } from '../../src/execution/replay-session.js';

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
      decide: (t) => [{ id: `${bars.dates[t]}:AAA`, symbol: 'AAA', side: 'buy', quantity: 50, reason: 'always buy', estimated_price: bars.close[0]![t]!, decided_at: bars.dates[t]! }],
    });
    // Bought 50 at the 2024-01-03 open, 50 more at the 01-04 open; the close of 60 is a 40% loss on 100 shares.
    expect(record.fills.map((f) => [f.date, f.shares])).toEqual([['2024-01-03', 50], ['2024-01-04', 50], ['2024-01-05', -100]]);
    expect(record.final_state).toBe('HALTED');
    expect(record.halt_reason).toMatch(/daily loss limit/);
    expect(record.intents.at(-1)).toMatchObject({ reduce_only: true, side: 'sell', quantity: 100 });
    expect(record.decisions.filter((d) => d.action !== 'reject')).toHaveLength(3);
    expect(record.reconciliation).toEqual({ start: [], end: [] });
    expect(record.broker.end.positions).toEqual([]);
    expect(record.equity.at(-1)!.equity).toBeCloseTo(10_000 - 100 * 40, 9);
  });
});
