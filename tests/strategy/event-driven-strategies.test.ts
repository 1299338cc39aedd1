import fc from 'fast-check';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { accountSchema } from '../../src/backtest/account-config.js';
import { backtestEvents } from '../../src/backtest/event-driven.js';
import type { MarketData } from '../../src/backtest/market-data.js';
import { eventStrategyOf } from '../../src/backtest/strategy-events.js';
import { costModelSchema } from '../../src/costs/cost-model.js';
import { defineStrategy, type StrategyContext } from '../../src/strategy/define-strategy.js';
import { loadStrategy } from '../../src/strategy/loaded-strategy.js';
import { vectorizedWeights } from '../../src/strategy/vectorized-weights.js';
import { randomWalkBars } from '../helpers/random-bars.js';
import { shippedStrategy } from '../helpers/shipped-strategy.js';

const costs = costModelSchema.parse({
  fees: { bps: 1 },
  slippage: { fixed_bps: 2 },
  execution: { delay_bars: 1, price: 'open' },
});
const account = accountSchema.parse({});

/** A user's event-driven SMA crossover: the same decisions as the shipped vectorized one, bar by bar. */
const eventSma = defineStrategy({
  name: 'event_sma',
  version: 1,
  config: z.object({ fast: z.number().int(), slow: z.number().int() }).strict(),
  start: (c, symbols) => ({
    onBar(ctx: StrategyContext) {
      for (const symbol of symbols) {
        if (ctx.t < c.slow - 1) {
          ctx.targetWeight(symbol, 0);
          continue;
        }
        const mean = (n: number) => {
          let sum = 0;
          for (let k = 0; k < n; k++) sum += ctx.close(symbol, k);
          return sum / n;
        };
        ctx.targetWeight(symbol, mean(c.fast) > mean(c.slow) ? 1 / symbols.length : 0);
      }
    },
  }),
});

const load = (d: unknown, kind: string, settings: unknown) => loadStrategy(d, kind, `strategies/${kind}.ts`, settings);

describe('event-driven strategies through the plugin API', () => {
  const data = randomWalkBars(3, 300, ['AAA', 'BBB']);

  it('an event-driven SMA crossover fills exactly as the shipped vectorized one on the same engine', async () => {
    const vectorized = await shippedStrategy('sma_crossover', { fast: 5, slow: 20 });
    const a = backtestEvents(data, eventStrategyOf(vectorized, data, 2), costs, account);
    const b = backtestEvents(
      data,
      eventStrategyOf(load(eventSma, 'event_sma', { fast: 5, slow: 20 }), data, 2),
      costs,
      account,
    );
    expect(b.trades.length).toBeGreaterThan(10);
    expect(b.trades).toEqual(a.trades);
    expect([...b.equity]).toEqual([...a.equity]);
  });

  it('hears of its fills on the close of the bar they happened on, before deciding', () => {
    const heard: string[] = [];
    const strategy = defineStrategy({
      name: 'listener',
      version: 1,
      config: z.object({}).strict(),
      start: () => ({
        onBar(ctx) {
          if (ctx.t === 0) ctx.order('AAA', 10);
          heard.push(`bar ${ctx.date} holds ${ctx.position('AAA')}, ${ctx.openOrders()} open`);
        },
        onFill(fill, ctx) {
          heard.push(`fill ${fill.symbol} ${fill.shares} on ${fill.date} heard on ${ctx.date}`);
        },
      }),
    });
    backtestEvents(
      randomWalkBars(1, 3, ['AAA']),
      eventStrategyOf(load(strategy, 'listener', {}), randomWalkBars(1, 3, ['AAA']), 2),
      costs,
      account,
    );
    expect(heard).toEqual([
      'bar 2020-01-01 holds 0, 1 open',
      'fill AAA 10 on 2020-01-02 heard on 2020-01-02',
      'bar 2020-01-02 holds 10, 0 open',
      'bar 2020-01-03 holds 10, 0 open',
    ]);
  });

  it('holds no future: a read of a later bar throws, naming the strategy and the bar', () => {
    const peeker = defineStrategy({
      name: 'peeker',
      version: 1,
      config: z.object({}).strict(),
      start: () => ({ onBar: (ctx) => void ctx.close('AAA', -1) }),
    });
    expect(() => backtestEvents(data, eventStrategyOf(load(peeker, 'peeker', {}), data, 2), costs, account)).toThrow(
      /strategy 'peeker' \(strategies\/peeker\.ts\) on 2020-01-01: .*asked for a bar 1 ahead/,
    );
  });

  it('perturbing the future changes nothing before it: fills, positions and equity up to the perturbed bar', () => {
    const strategy = load(eventSma, 'event_sma', { fast: 3, slow: 10 });
    const before = backtestEvents(data, eventStrategyOf(strategy, data, 2), costs, account);
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 280 }), fc.double({ min: 0.5, max: 2, noNaN: true }), (cut, factor) => {
        const future = (xs: Float64Array) => Float64Array.from(xs, (v, t) => (t > cut ? v * factor : v));
        const changed: MarketData = { ...data, open: data.open.map(future), close: data.close.map(future) };
        const after = backtestEvents(changed, eventStrategyOf(strategy, changed, 2), costs, account);
        expect([...after.equity.slice(0, cut + 1)]).toEqual([...before.equity.slice(0, cut + 1)]);
        const upTo = (trades: typeof before.trades) => trades.filter((t) => t.date <= data.dates[cut]!);
        expect(upTo(after.trades)).toEqual(upTo(before.trades));
      }),
      { numRuns: 25 },
    );
  });

  it('an intent for an unknown symbol, a NaN order or a throw fails with the strategy, the bar and the value', () => {
    const bad = (name: string, onBar: (ctx: StrategyContext) => void) =>
      eventStrategyOf(
        load(defineStrategy({ name, version: 1, config: z.object({}).strict(), start: () => ({ onBar }) }), name, {}),
        data,
        2,
      );
    expect(() =>
      backtestEvents(
        data,
        bad('typo', (ctx) => ctx.targetWeight('AAPL', 0.5)),
        costs,
        account,
      ),
    ).toThrow(/strategy 'typo' .* on 2020-01-01: no symbol "AAPL" among the 2 it trades \(AAA, BBB\)/);
    expect(() =>
      backtestEvents(
        data,
        bad('nan', (ctx) => ctx.t === 4 && ctx.targetWeight('AAA', Number.NaN)),
        costs,
        account,
      ),
    ).toThrow(/strategy 'nan' .* on 2020-01-05: the target weight for AAA must be a finite number, got NaN/);
    expect(() =>
      backtestEvents(
        data,
        bad('thrower', (ctx) => {
          if (ctx.t === 7) throw new Error('division by zero in my signal');
        }),
        costs,
        account,
      ),
    ).toThrow(/strategy 'thrower' .* on 2020-01-08: division by zero in my signal/);
  });
});

describe('vectorized strategies: what a decision must be', () => {
  const data = randomWalkBars(9, 10, ['AAA', 'BBB']);
  const returning = (name: string, weights: (panel: MarketData) => unknown) =>
    load(defineStrategy({ name, version: 1, config: z.object({}).strict(), weights: weights as never }), name, {});

  it('NaN, infinite, mis-shaped or over-levered weights fail with the strategy, the bar, the symbol and the value', () => {
    const nanOn3 = (p: MarketData) =>
      p.symbols.map((_, s) => Float64Array.from(p.dates, (_, t) => (t === 3 && s === 1 ? Number.NaN : 0.5)));
    expect(() => vectorizedWeights(returning('nan', nanOn3), data, 1)).toThrow(
      "strategy 'nan' (strategies/nan.ts) gave BBB the weight NaN on 2020-01-04: a decision's weights must be finite numbers",
    );
    expect(() =>
      vectorizedWeights(
        returning('short', (p) => [new Float64Array(p.dates.length)]),
        data,
        1,
      ),
    ).toThrow(/returned weights that are not 2 symbols x 10 bars/);
    const levered = (p: MarketData) => p.symbols.map(() => new Float64Array(p.dates.length).fill(0.75));
    expect(() => vectorizedWeights(returning('levered', levered), data, 1)).toThrow(
      "strategy 'levered' (strategies/levered.ts) asked for a gross weight of 1.5 on 2020-01-01, over the account's max_leverage of 1",
    );
    expect(vectorizedWeights(returning('levered', levered), data, 2)[0]![0]).toBe(0.75);
  });

  it('off its rebalance bars a vectorized strategy holds (NaN), whatever its weights there say', () => {
    const w = vectorizedWeights(
      returning('monthly', (p) => ({
        weights: p.symbols.map(() => new Float64Array(p.dates.length).fill(Number.NaN).fill(0.5, 0, 1)),
        rebalance: Uint8Array.from(p.dates, (_, t) => (t === 0 ? 1 : 0)),
      })),
      data,
      1,
    );
    expect(w[0]![0]).toBe(0.5);
    expect(w[0]!.slice(1).every(Number.isNaN)).toBe(true);
  });

  it('a module that is not a strategy, or settings its schema refuses, say what is wrong', () => {
    expect(() => load({ name: 'x', version: 1, config: z.object({}) }, 'x', {})).toThrow(
      /must define exactly one of weights\(panel, config\) \(vectorized\) or start\(config, symbols\) \(event-driven\)/,
    );
    expect(() => load({ name: 'y', version: 1, config: z.object({}), weights: () => [] }, 'x', {})).toThrow(
      /its name is 'y' but configs name it 'x'/,
    );
    expect(() => load(eventSma, 'event_sma', { fast: 'five' })).toThrow(/event_sma.*settings: fast: /);
  });
});
