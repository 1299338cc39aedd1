import { z } from 'zod';

/**
 * The one execution-cost model every simulated fill goes through (backtests, the RL
 * environment, shadow replay, the paper broker), so a strategy's costs do not change with the
 * engine that runs it. All amounts are in the instrument's currency; shares are signed (buy > 0).
 */
export const costModelSchema = z
  .object({
    fees: z
      .object({
        per_share: z.number().min(0).default(0),
        bps: z.number().min(0).default(0),
        /** The least an order that trades at all pays. */
        min_per_order: z.number().min(0).default(0),
      })
      .strict()
      .prefault({}),
    slippage: z
      .object({
        fixed_bps: z.number().min(0).default(0),
        /**
         * Volume-share impact: the price moves against the order by price_impact x share^2,
         * share being the fill's fraction of the bar's volume, and no fill takes more than
         * participation_cap of the bar's volume (the rest stays unfilled).
         */
        volume_share: z
          .object({ price_impact: z.number().min(0), participation_cap: z.number().gt(0).max(1) })
          .strict()
          .optional(),
      })
      .strict()
      .prefault({}),
    borrow: z
      .object({
        /** Yearly cost of borrowing shares to short, on the short position's value. */
        annual_rate: z.number().min(0).default(0),
        days_per_year: z.number().int().positive().default(360),
      })
      .strict()
      .prefault({}),
    execution: z
      .object({
        /** Whole bars between the decision (made on a bar's close) and the fill: at least 1, never the decision bar. */
        delay_bars: z.number().int().min(1).default(1),
        price: z.enum(['open', 'close']).default('open'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type CostModel = z.infer<typeof costModelSchema>;

export interface ExecutionBar {
  open: number;
  close: number;
  volume: number;
}

export interface Fill {
  /** Signed shares filled (may be fewer than ordered under the participation cap). */
  shares: number;
  /** The reference price of the execution bar, before slippage. */
  referencePrice: number;
  /** The price paid or received, slippage included. */
  price: number;
  fee: number;
  /** Slippage in currency: |shares| x |price - referencePrice|. */
  slippageCost: number;
}

/** The fee of an order that trades `shares` at `price`: zero if nothing trades. */
export function orderFee(model: CostModel, shares: number, price: number): number {
  if (shares === 0) return 0;
  const q = Math.abs(shares);
  return Math.max(model.fees.min_per_order, q * model.fees.per_share + (q * price * model.fees.bps) / 1e4);
}

/** The bar an order decided on bar `decisionBar` executes on. */
export function executionBarIndex(model: CostModel, decisionBar: number): number {
  return decisionBar + model.execution.delay_bars;
}

/** Fills an order of `shares` on its execution bar, at the bar's configured reference price (open or close). */
export function simulateFill(model: CostModel, shares: number, bar: ExecutionBar): Fill {
  return simulateFillAt(model, shares, model.execution.price === 'open' ? bar.open : bar.close, bar.volume);
}

/**
 * The cost model of a limit order's fill: its fees and the participation cap, but no slippage,
 * so it never fills past its limit. The event-driven engine and the simulated broker both use it.
 */
export function limitFillModel(model: CostModel): CostModel {
  const vs = model.slippage.volume_share;
  return { ...model, slippage: { fixed_bps: 0, ...(vs ? { volume_share: { ...vs, price_impact: 0 } } : {}) } };
}

/**
 * Fills an order of `shares` at `referencePrice` on a bar that traded `volume`: the
 * participation cap bounds the fill, slippage moves the price against it, the fee schedule
 * charges it. Stops and take-profits use this with their trigger price.
 */
export function simulateFillAt(model: CostModel, shares: number, referencePrice: number, volume: number): Fill {
  const vs = model.slippage.volume_share;
  let filled = shares;
  if (vs) {
    const cap = vs.participation_cap * Math.max(0, volume);
    if (Math.abs(shares) > cap) filled = Math.sign(shares) * cap;
  }
  if (filled === 0) return { shares: 0, referencePrice, price: referencePrice, fee: 0, slippageCost: 0 };
  const share = vs && volume > 0 ? Math.abs(filled) / volume : 0;
  const slip = model.slippage.fixed_bps / 1e4 + (vs ? vs.price_impact * share * share : 0);
  const price = referencePrice * (1 + Math.sign(filled) * slip);
  return {
    shares: filled,
    referencePrice,
    price,
    fee: orderFee(model, filled, price),
    slippageCost: Math.abs(filled) * Math.abs(price - referencePrice),
  };
}

/** The cost of holding a short position worth `shortValue` (its absolute value) for `days` calendar days. */
export function borrowCost(model: CostModel, shortValue: number, days: number): number {
  return (Math.abs(shortValue) * model.borrow.annual_rate * days) / model.borrow.days_per_year;
}

/**
 * The most whole shares, up to `wanted`, whose fill price and fee `cash` covers at
 * `referencePrice` (a buy with no margin). Volume-share slippage and the minimum fee make the
 * cost superlinear, so it steps down from the linear estimate until the order fits.
 */
export function affordableShares(
  model: CostModel,
  wanted: number,
  referencePrice: number,
  volume: number,
  cash: number,
): number {
  const cost = (n: number) => {
    const fill = simulateFillAt(model, n, referencePrice, volume);
    return fill.shares * fill.price + orderFee(model, fill.shares, fill.price);
  };
  const perShare =
    referencePrice * (1 + model.slippage.fixed_bps / 1e4) * (1 + model.fees.bps / 1e4) + model.fees.per_share;
  let n = Math.min(Math.floor(wanted), Math.floor(cash / perShare));
  while (n > 0 && cost(n) > cash) n = Math.min(n - 1, Math.floor((n * cash) / cost(n)));
  return Math.max(0, n);
}
