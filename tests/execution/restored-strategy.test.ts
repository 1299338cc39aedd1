import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { barsBetween, type MarketData } from '../../src/backtest/market-data.js';
import { costModelSchema } from '../../src/costs/cost-model.js';
import { runBrokerSession } from '../../src/execution/broker-session.js';
import { restoredStrategyDecide } from '../../src/execution/restored-strategy.js';
import { riskConfigSchema } from '../../src/execution/risk-config.js';
import { SimulatedExchange } from '../../src/execution/simulated-exchange.js';
import { replayStrategy } from '../../src/execution/strategy-session.js';
import { loadStrategy, type LoadedStrategy } from '../../src/strategy/loaded-strategy.js';
import type { OrderExits } from '../../src/strategy/strategy-context.js';
import { eventDrivenStrategy } from '../helpers/probe-strategy.js';

/**
 * A broker session is one process a day: a strategy that keeps state from bar to bar (its fills,
 * counters, the exits its fills armed) has it restored by replaying the account's ledger. The
 * proof is parity: a run of daily broker sessions, each a fresh process, makes exactly the
 * intents and fills of one paper session that ran through the same bars without stopping.
 */
const DAYS = 90;
const FIRST_SESSION = 45;
const COSTS = costModelSchema.parse({ execution: { price: 'open' } });
const RISK = riskConfigSchema.parse({
  max_position_fraction: 1,
  max_order_notional: 1e9,
  max_daily_loss: 0.9,
  price_band: 1,
});

/** Three symbols on a seeded random walk with highs and lows, so stops and limits can trigger. */
function walkBars(): MarketData {
  let seed = 7;
  const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const symbols = ['AAA', 'BBB', 'CCC'];
  const open: Float64Array[] = [];
  const close: Float64Array[] = [];
  const high: Float64Array[] = [];
  const low: Float64Array[] = [];
  for (let s = 0; s < symbols.length; s++) {
    const o = new Float64Array(DAYS);
    const c = new Float64Array(DAYS);
    const h = new Float64Array(DAYS);
    const l = new Float64Array(DAYS);
    let price = 50 + 20 * s;
    for (let t = 0; t < DAYS; t++) {
      o[t] = price * (1 + (rand() - 0.5) * 0.01);
      price = price * (1 + (rand() - 0.5) * 0.06);
      c[t] = price;
      h[t] = Math.max(o[t]!, c[t]!) * (1 + rand() * 0.02);
      l[t] = Math.min(o[t]!, c[t]!) * (1 - rand() * 0.02);
    }
    open.push(o);
    close.push(c);
    high.push(h);
    low.push(l);
  }
  const dates = Array.from({ length: DAYS }, (_, t) => new Date(Date.UTC(2021, 0, 4 + t)).toISOString().slice(0, 10));
  return { dates, symbols, open, close, high, low, volume: symbols.map(() => new Float64Array(DAYS).fill(1e6)) };
}

async function shipped(kind: string, settings: Record<string, unknown>): Promise<LoadedStrategy> {
  const module = (await import(`../../strategies/${kind}.ts`)) as { default: unknown };
  return loadStrategy(module.default, kind, `strategies/${kind}.ts`, settings);
}

/**
 * Event-driven and stateful in every way a process would lose: it counts its bars, remembers its
 * fills (onFill, with their reasons, in `heard`), buys with a limit under the close good for three
 * bars, and takes its profit by its own rule, a trailing stop attached.
 */
const heard: string[] = [];
function rememberingStrategy(): LoadedStrategy {
  let bars = 0;
  const boughtAt = new Map<string, number>();
  const strategy = eventDrivenStrategy('remembering', (ctx) => {
    bars += 1;
    for (const symbol of ctx.symbols) {
      const held = ctx.position(symbol);
      if (held === 0 && bars % 4 === 1)
        ctx.order(
          symbol,
          Math.floor((0.3 * ctx.equity) / ctx.close(symbol)),
          { trailing_stop: 0.04 },
          {
            limit: ctx.close(symbol) * 0.995,
          },
        );
      else if (held > 0 && (boughtAt.get(symbol) ?? 0) * 1.03 < ctx.close(symbol)) ctx.targetWeight(symbol, 0);
    }
  });
  const start = strategy.definition.start.bind(strategy.definition);
  return {
    ...strategy,
    definition: {
      ...strategy.definition,
      start: (config: unknown, symbols: readonly string[]) => {
        bars = 0; // a fresh process: nothing carried over but what replay restores
        boughtAt.clear();
        heard.length = 0;
        const handlers = start(config, symbols);
        return {
          ...handlers,
          onFill: (fill) => {
            heard.push(`${fill.date} ${fill.symbol} ${fill.shares} ${fill.reason}`);
            if (fill.shares > 0) boughtAt.set(fill.symbol, fill.price);
          },
        };
      },
    } as typeof strategy.definition,
  };
}

interface Fill {
  symbol: string;
  shares: number;
  price: number;
}
const fillOf = ({ symbol, shares, price }: Fill): Fill => ({ symbol, shares, price });

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Daily broker sessions on a simulated exchange from FIRST_SESSION to the last bar but one, each deciding afresh. */
async function dailySessions(strategy: LoadedStrategy, bars: MarketData, exits?: OrderExits) {
  const dir = mkdtempSync(join(tmpdir(), 'quanto-restored-'));
  dirs.push(dir);
  const ledgerFile = join(dir, 'ledger.jsonl');
  const exchange = new SimulatedExchange(bars, COSTS, 100_000);
  while (exchange.bar < FIRST_SESSION) exchange.advance();
  const intents = [];
  const fills: Fill[] = [];
  for (let k = FIRST_SESSION; k + 1 < DAYS; k++) {
    const date = bars.dates[k]!;
    const history = barsBetween(bars, 0, k + 1);
    const record = await runBrokerSession({
      broker: exchange,
      ledgerFile,
      initialCash: 100_000,
      risk: RISK,
      runId: `probe@${date}`,
      decidedAt: date,
      barTimeMs: Date.parse(`${date}T21:00:00Z`),
      nowMs: Date.parse(`${date}T21:05:00Z`),
      lastPrice: (s) => history.close[history.symbols.indexOf(s)]![k]!,
      decide: restoredStrategyDecide({
        strategy,
        history,
        initialCash: 100_000,
        maxLeverage: 1,
        ...(exits ? { exits } : {}),
        runIdOf: (d) => `probe@${d}`,
      }),
      // Waiting on an order is the market's next bar coming (once a session, however many orders wait).
      sleep: async () => {
        if (exchange.bar === k) exchange.advance();
      },
    });
    expect(record.final_state, record.halt_reason ?? '').toBe('ACTIVE');
    expect(record.reconciliation).toEqual({ start: [], end: [] });
    if (exchange.bar === k) exchange.advance(); // a day without orders: the market moves on all the same
    intents.push(...record.intents);
    fills.push(...record.fills.map(fillOf));
  }
  return { intents, fills, ledger: readFileSync(ledgerFile, 'utf8') };
}

async function continuousSession(strategy: LoadedStrategy, bars: MarketData, exits?: OrderExits) {
  const { session } = await replayStrategy({
    strategy,
    history: bars,
    windowStart: bars.dates[FIRST_SESSION]!,
    costs: COSTS,
    initialCash: 100_000,
    maxLeverage: 1,
    ...(exits ? { exits } : {}),
    risk: RISK,
    runId: 'probe',
    onStrategyError: 'throw',
  });
  return { intents: session.intents, fills: session.fills.map(fillOf) };
}

describe('a strategy on a broker, its state restored by replaying the account', () => {
  const bars = walkBars();
  const cases: [string, () => Promise<LoadedStrategy>, OrderExits?][] = [
    ['an event-driven strategy with memory, limit orders and a trailing stop', async () => rememberingStrategy()],
    [
      'dollar-cost averaging (counts its bars)',
      () => shipped('dollar_cost_averaging', { every: 5, budget_share: 0.05 }),
    ],
    [
      'peak-to-trough buying (remembers the levels it bought)',
      () => shipped('peak_to_trough_buying', { levels: [0.03, 0.06], budget_share: 0.2 }),
    ],
    [
      'rolling drawdown accumulation (cooldowns)',
      () => shipped('rolling_drawdown_accumulation', { window: 10, threshold: 0.03, budget_share: 0.1, cooldown: 5 }),
    ],
    [
      'an SMA crossover with a bracket (exits armed by the fills of earlier sessions)',
      () => shipped('sma_crossover', { fast: 3, slow: 10 }),
      { stop_loss: 0.02, take_profit: 0.04 },
    ],
  ];
  for (const [name, load, exits] of cases)
    it(`${name}: daily sessions make the continuous session's intents and fills`, async () => {
      const daily = await dailySessions(await load(), bars, exits);
      const continuous = await continuousSession(await load(), bars, exits);
      expect(continuous.fills.length).toBeGreaterThan(2);
      expect(daily.intents).toEqual(continuous.intents);
      expect(daily.fills).toEqual(continuous.fills);
      // Every session that decided left its mark, fills or not.
      expect(daily.ledger.split('\n').filter((l) => l.includes('"session"'))).toHaveLength(DAYS - 1 - FIRST_SESSION);
    });

  it('the strategy hears each fill with its reason, a trailing stop’s as trailing_stop, in both', async () => {
    await dailySessions(rememberingStrategy(), bars);
    const daily = [...heard]; // the last session's replay: every fill since the first session
    await continuousSession(rememberingStrategy(), bars);
    expect(daily).toEqual(heard);
    expect(heard.filter((h) => h.endsWith(' order')).length).toBeGreaterThan(0);
    expect(heard.filter((h) => h.endsWith(' trailing_stop')).length).toBeGreaterThan(0);
  });

  it('an exit armed sessions ago is still protecting the position (it would be lost without the replay)', async () => {
    const strategy = await shipped('sma_crossover', { fast: 3, slow: 10 });
    const daily = await dailySessions(strategy, bars, { stop_loss: 0.02, take_profit: 0.04 });
    const exitIntents = daily.intents.filter((i) => i.id.endsWith(':exit'));
    expect(exitIntents.length).toBeGreaterThan(0);
    expect(exitIntents.every((i) => i.reduce_only && i.order_class === 'oco')).toBe(true);
  });
});
