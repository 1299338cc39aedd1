/**
 * npm run bench:execution
 * 1. Pre-trade risk check latency per intent (the full check against a 30-symbol book), beside
 *    the cost of building the intent alone (the floor of any check).
 * 2. Order round trip through the order router and the Alpaca adapter (@alpacahq/alpaca-trade-api)
 *    to the local Alpaca-compatible server, beside a bare fetch of the same endpoint (the HTTP floor).
 * Percentiles over all samples of one run.
 */
import { startAlpacaTradingServer } from '../src/devservers/alpaca-trading-server.js';
import { AlpacaBroker } from '../src/execution/alpaca-broker.js';
import type { OrderIntent } from '../src/execution/order-intent.js';
import { OrderRouter } from '../src/execution/order-router.js';
import { riskConfigSchema } from '../src/execution/risk-config.js';
import { RiskEngine } from '../src/execution/risk-engine.js';
import { TradingLedger } from '../src/execution/trading-ledger.js';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;

function riskBench(): void {
  const symbols = Array.from({ length: 30 }, (_, i) => `S${i}`);
  const prices = new Map(symbols.map((s, i) => [s, 20 + i]));
  const ledger = new TradingLedger(1_000_000);
  symbols.forEach((s, i) =>
    ledger.record({ date: 'd', client_order_id: `seed${i}`, symbol: s, shares: 100, price: prices.get(s)!, fee: 0 }),
  );
  const view = ledger.view((s) => prices.get(s) ?? Number.NaN);
  const risk = new RiskEngine(riskConfigSchema.parse({ max_trades_per_minute: 1e9 }));
  const N = 200_000;
  const check: number[] = [];
  const floor: number[] = [];
  let sink = 0;
  for (let i = 0; i < N; i++) {
    const symbol = symbols[i % 30]!;
    const t0 = performance.now();
    const intent: OrderIntent = {
      id: `i${i}`,
      symbol,
      side: i % 3 === 0 ? 'sell' : 'buy',
      quantity: 1 + (i % 500),
      reason: 'bench',
      estimated_price: prices.get(symbol)!,
      decided_at: 'd',
    };
    const t1 = performance.now();
    sink += risk.check(intent, view, i).quantity;
    const t2 = performance.now();
    floor.push(t1 - t0);
    check.push(t2 - t1);
  }
  console.log(`risk check: ${N.toLocaleString('en-US')} intents against a 30-symbol book (checksum ${sink})`);
  console.log(`  check        p50 ${us(pct(check, 50))}  p99 ${us(pct(check, 99))}  p99.9 ${us(pct(check, 99.9))}`);
  console.log(
    `  timer floor  p50 ${us(pct(floor, 50))}  p99 ${us(pct(floor, 99))} (building the intent between two clock reads)`,
  );
}

async function routerBench(): Promise<void> {
  const key = { keyId: 'PKBENCH', secretKey: 'bench-secret' };
  const server = await startAlpacaTradingServer({ ...key, cash: 1e12, prices: { AAPL: 150 } });
  try {
    const broker = new AlpacaBroker({ ...key, paper: true, baseUrl: server.url });
    const router = new OrderRouter(broker, {
      maxRetries: 2,
      baseDelayMs: 10,
      maxRequestsPerMinute: 1e9,
      maxConsecutiveFailures: 5,
    });
    const N = 1000;
    for (let i = 0; i < 50; i++)
      await router.submit({ client_order_id: `warm${i}`, symbol: 'AAPL', side: 'buy', qty: 1 });
    const rt: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      await router.submit({ client_order_id: `o${i}`, symbol: 'AAPL', side: 'buy', qty: 1 });
      rt.push(performance.now() - t0);
    }
    const bare: number[] = [];
    const headers = {
      'APCA-API-KEY-ID': key.keyId,
      'APCA-API-SECRET-KEY': key.secretKey,
      'content-type': 'application/json',
    };
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      const r = await fetch(`${server.url}/v2/orders`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          symbol: 'AAPL',
          side: 'buy',
          qty: 1,
          type: 'market',
          time_in_force: 'day',
          client_order_id: `b${i}`,
        }),
      });
      await r.json();
      bare.push(performance.now() - t0);
    }
    console.log(
      `order round trip: ${N} market orders, router -> Alpaca SDK -> local Alpaca-compatible server (loopback)`,
    );
    console.log(`  quanto router  p50 ${pct(rt, 50).toFixed(2)} ms  p99 ${pct(rt, 99).toFixed(2)} ms`);
    console.log(
      `  bare fetch     p50 ${pct(bare, 50).toFixed(2)} ms  p99 ${pct(bare, 99).toFixed(2)} ms (the same POST without the SDK or the router)`,
    );
  } finally {
    await server.close();
  }
}

riskBench();
await routerBench();
