import { describe, expect, it } from 'vitest';
import { costModelSchema } from '../../src/costs/cost-model.js';
import { clientOrderId } from '../../src/execution/client-order-id.js';
import { SimulatedBroker } from '../../src/execution/simulated-broker.js';

const bar = { date: '2024-01-03', open: 100, close: 101, volume: 1000 };

describe('simulated broker', () => {
  it('fills at the cost model price with its fee, and never twice for one client order id', () => {
    const broker = new SimulatedBroker(
      costModelSchema.parse({ fees: { per_share: 0.01, min_per_order: 1 }, slippage: { fixed_bps: 10 } }),
    );
    const id = clientOrderId('run', '2024-01-02:AAA');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(clientOrderId('run', '2024-01-02:AAA')).toBe(id);
    const fill = broker.execute({ client_order_id: id, symbol: 'AAA', side: 'buy', quantity: 10 }, bar, 10_000);
    expect(fill).toMatchObject({ status: 'filled', shares: 10, fee: 1 });
    expect(fill.price).toBeCloseTo(100.1, 12);
    expect(
      broker.execute({ client_order_id: id, symbol: 'AAA', side: 'buy', quantity: 10 }, bar, 10_000),
    ).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/duplicate client_order_id/) });
  });

  it('reduces a buy to the buying power, refuses one it cannot pay at all, and fills partially under the participation cap', () => {
    const broker = new SimulatedBroker(
      costModelSchema.parse({ slippage: { volume_share: { price_impact: 0, participation_cap: 0.05 } } }),
    );
    expect(
      broker.execute({ client_order_id: 'a', symbol: 'AAA', side: 'buy', quantity: 20 }, bar, 1_050),
    ).toMatchObject({ status: 'partially_filled', shares: 10, reason: 'reduced to the buying power' });
    expect(broker.execute({ client_order_id: 'b', symbol: 'AAA', side: 'buy', quantity: 20 }, bar, 50)).toMatchObject({
      status: 'rejected',
      reason: 'insufficient buying power',
    });
    expect(broker.execute({ client_order_id: 'c', symbol: 'AAA', side: 'sell', quantity: 80 }, bar, 0)).toMatchObject({
      status: 'partially_filled',
      shares: -50,
      reason: 'participation cap',
    });
    expect(
      broker.execute(
        { client_order_id: 'd', symbol: 'AAA', side: 'sell', quantity: 1 },
        { ...bar, open: Number.NaN },
        0,
      ),
    ).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/no open price/) });
  });
});
