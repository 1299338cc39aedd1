import fc from 'fast-check';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import type { MarketData } from '../../src/backtest/market-data.js';
import { costModelSchema } from '../../src/costs/cost-model.js';
import { riskConfigSchema } from '../../src/execution/risk-config.js';
import { replayStrategy } from '../../src/execution/strategy-session.js';
import { backtestOnTradingPath } from '../../src/execution/trading-path-backtest.js';
import { defineStrategy, type StrategyContext } from '../../src/strategy/define-strategy.js';
import { loadStrategy, type LoadedStrategy } from '../../src/strategy/loaded-strategy.js';
import { randomWalkBars } from '../helpers/random-bars.js';
import { shippedStrategy } from '../helpers/shipped-strategy.js';

const data = randomWalkBars(7, 200, ['AAA', 'BBB']);
const costs = costModelSchema.parse({ fees: { bps: 1 }, slippage: { fixed_bps: 2 } });
const risk = riskConfigSchema.parse({
  max_position_fraction: 1,
  max_order_notional: 1e9,
  max_daily_loss: 0.5,
  price_band: 1,
});
const session = (strategy: LoadedStrategy, history: MarketData = data, windowStart = data.dates[0]!) =>
  replayStrategy({ strategy, history, windowStart, costs, initialCash: 100_000, maxLeverage: 1, risk, runId: 'test' });
const own = (name: string, onBar: (ctx: StrategyContext) => void) =>
  loadStrategy(
    defineStrategy({ name, version: 1, config: z.object({}).strict(), start: () => ({ onBar }) }),
    name,
    `strategies/${name}.ts`,
    {},
  );

describe('a strategy on the trading path (paper sessions, shadow replays, trading_path backtests)', () => {
  it('decides on a close, fills on the next bar in whole shares, through the risk engine', async () => {
    const { session: s } = await session(await shippedStrategy('sma_crossover', { fast: 5, slow: 20 }));
    expect(s.fills.length).toBeGreaterThan(0);
    for (const f of s.fills) expect(Number.isInteger(f.shares)).toBe(true);
    const dateIndex = new Map(data.dates.map((d, t) => [d, t]));
    const decided = new Map(s.orders.map((o) => [o.client_order_id, o.decided_at]));
    for (const f of s.fills) expect(dateIndex.get(f.date)).toBe(dateIndex.get(decided.get(f.client_order_id)!)! + 1);
    expect(s.decisions).toHaveLength(s.intents.length);
    expect(s.final_state).toBe('ACTIVE');
  });

  it("warms up on the bars before the window: the window's decisions are those of a run over all the bars", async () => {
    const sma = await shippedStrategy('sma_crossover', { fast: 5, slow: 20 });
    const start = data.dates[60]!;
    const warm = await session(sma, data, start);
    expect(warm.window.dates[0]).toBe(start);
    // sma_crossover warms up for `slow` bars: from the window's first bar it already holds a view.
    expect(warm.session.intents[0]!.decided_at).toBe(start);
  });

  it('perturbing the future changes nothing before it, for an event-driven and a vectorized strategy', async () => {
    for (const strategy of [
      await shippedStrategy('dollar_cost_averaging', { every: 7, budget_share: 0.05 }),
      await shippedStrategy('sma_crossover', { fast: 5, slow: 20 }),
    ]) {
      const before = (await session(strategy)).session;
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 30, max: 190 }),
          fc.double({ min: 0.5, max: 2, noNaN: true }),
          async (cut, k) => {
            const future = (xs: Float64Array) => Float64Array.from(xs, (v, t) => (t > cut ? v * k : v));
            const changed: MarketData = { ...data, open: data.open.map(future), close: data.close.map(future) };
            const after = (await session(strategy, changed)).session;
            const upTo = <T extends { date: string }>(xs: readonly T[]) => xs.filter((x) => x.date <= data.dates[cut]!);
            expect(upTo(after.fills)).toEqual(upTo(before.fills));
            expect(upTo(after.equity)).toEqual(upTo(before.equity));
            const decidedBy = (xs: typeof before.intents) => xs.filter((x) => x.decided_at <= data.dates[cut]!);
            expect(decidedBy(after.intents)).toEqual(decidedBy(before.intents));
          },
        ),
        { numRuns: 10 },
      );
    }
  });

  it('a strategy that throws, sizes with NaN or names an unknown symbol halts a session: nothing more is sent, and why is recorded', async () => {
    const cases: [LoadedStrategy, RegExp][] = [
      [
        own('thrower', (ctx) => {
          ctx.targetWeight('AAA', 0.5);
          if (ctx.t === 9) throw new Error('division by zero in my signal');
        }),
        /the decision on 2020-01-10 failed: strategy 'thrower' \(strategies\/thrower\.ts\) on 2020-01-10: division by zero in my signal/,
      ],
      [
        own('nan', (ctx) => ctx.targetWeight('AAA', ctx.t === 4 ? Number.NaN : 0.5)),
        /on 2020-01-05: the target weight for AAA must be a finite number, got NaN/,
      ],
      [
        own('typo', (ctx) => ctx.order('AAPL', 10)),
        /on 2020-01-01: no symbol "AAPL" among the 2 it trades \(AAA, BBB\)/,
      ],
    ];
    for (const [strategy, why] of cases) {
      const { session: s } = await session(strategy);
      expect(s.final_state).toBe('HALTED');
      expect(s.halt_reason).toMatch(why);
      const halted = s.halt_reason!.match(/the decision on (\S+) failed/)![1]!;
      expect(s.intents.filter((i) => i.decided_at >= halted)).toEqual([]);
      expect(s.orders.filter((o) => o.decided_at >= halted)).toEqual([]);
    }
  });

  it('a backtest on the trading path fails on it instead, with the strategy, the bar and the value', async () => {
    await expect(
      backtestOnTradingPath({
        history: data,
        windowStart: data.dates[0]!,
        strategy: own('nan', (ctx) => ctx.targetWeight('AAA', ctx.t === 4 ? Number.NaN : 0.5)),
        costs,
        initialCash: 100_000,
        maxLeverage: 1,
        risk,
        runId: 'test',
      }),
    ).rejects.toThrow(
      /strategy 'nan' \(strategies\/nan\.ts\) on 2020-01-05: the target weight for AAA must be a finite number, got NaN/,
    );
  });

  it("notes record what a decision read with that bar's intents: the bar's on each, a symbol's on its own", async () => {
    const { session: s } = await session(
      own('noter', (ctx) => {
        ctx.note({ bar: ctx.t });
        ctx.note({ signal: 0.5 }, 'BBB');
        ctx.targetWeight('AAA', 0.4);
        ctx.targetWeight('BBB', 0.4);
      }),
    );
    const first = s.intents.filter((i) => i.decided_at === data.dates[0]);
    expect(first.map((i) => [i.symbol, i.inputs])).toEqual([
      ['AAA', { bar: 0 }],
      ['BBB', { bar: 0, signal: 0.5 }],
    ]);
    const bad = await session(own('bad_note', (ctx) => ctx.note({ score: Number.NaN })));
    expect(bad.session.halt_reason).toMatch(
      /strategy 'bad_note' .* note score must be a string or a finite number, got NaN/,
    );
  });

  it('intents go sells first, then buys, each in the order the strategy placed them', async () => {
    const { session: s } = await session(
      own('placer', (ctx) => {
        if (ctx.t === 0) {
          ctx.order('BBB', 10);
          ctx.order('AAA', 10);
        } else if (ctx.t === 2) {
          ctx.order('BBB', 5);
          ctx.order('AAA', -5);
          ctx.order('AAA', 1); // a second order of a symbol adds to its first, in its first's place
        }
      }),
    );
    const on = (t: number) =>
      s.intents.filter((i) => i.decided_at === data.dates[t]).map((i) => [i.symbol, i.side, i.quantity]);
    expect(on(0)).toEqual([
      ['BBB', 'buy', 10],
      ['AAA', 'buy', 10],
    ]);
    expect(on(2)).toEqual([
      ['AAA', 'sell', 4],
      ['BBB', 'buy', 5],
    ]);
  });

  it('a strategy cannot read a later bar: asking for one is its error, naming the bar', async () => {
    const { session: s } = await session(own('peeker', (ctx) => void ctx.close('AAA', -1)));
    expect(s.halt_reason).toMatch(/strategy 'peeker' .* on 2020-01-01: it asked for a bar 1 ahead/);
    expect(s.orders).toEqual([]);
  });

  it('exits asked for with a target weight protect the position from the bar after its fill, every bar it is held', async () => {
    const { session: s } = await session(own('bracketed', (ctx) => ctx.targetWeight('AAA', 0.5, { stop_loss: 0.05 })));
    expect(s.final_state).toBe('ACTIVE');
    const entry = s.fills.find((f) => f.symbol === 'AAA')!;
    const protective = s.intents.filter((i) => i.reduce_only && i.type === 'stop');
    expect(protective.length).toBeGreaterThan(0);
    expect(protective[0]!.decided_at).toBe(entry.date);
    expect(protective[0]!.stop_price).toBeCloseTo(entry.price * 0.95, 2);
  });
});
