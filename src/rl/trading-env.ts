import { z } from 'zod';
import { affordableShares, simulateFillAt, type CostModel } from '../costs/cost-model.js';
import { policyTrades } from './policy-trades.js';

/** The environment's own settings (the cost model is the shared one, configured beside it). */
export const tradingEnvSchema = z
  .object({
    initial_cash: z.number().positive().default(1_000_000),
    /** Shares an action of 1 (or -1) trades in one asset on one step. */
    hmax: z.number().int().positive().default(100),
    /** The reward is the change in portfolio value times this. */
    reward_scaling: z.number().positive().default(1e-4),
    /** Turbulence at or above this blocks buying and liquidates every holding (FinRL's turbulence_threshold). */
    turbulence_threshold: z.number().positive().optional(),
  })
  .strict();

export type TradingEnvConfig = z.infer<typeof tradingEnvSchema>;

/**
 * What the environment trades over: D assets on T sessions, every array [asset][t] with no
 * NaN prices (a market builder carries the last close over gaps), K features per asset
 * ([k][asset][t], 0 where unknown), and optionally the turbulence index per session.
 */
export interface EnvMarket {
  dates: readonly string[];
  symbols: readonly string[];
  open: readonly Float64Array[];
  close: readonly Float64Array[];
  volume: readonly Float64Array[];
  features: readonly (readonly Float64Array[])[];
  featureNames: readonly string[];
  /** 0 where an asset has no bar (or no execution price) that session: it cannot trade then. All tradable when absent. */
  tradable?: readonly Uint8Array[];
  turbulence?: Float64Array;
}

export interface StepLog {
  date: string;
  executed: string;
  /** Signed shares filled per asset (sells negative). */
  traded: number[];
  /** Each fill: the asset, signed shares, the price paid or received (slippage included) and the fee. */
  fills: { asset: number; shares: number; price: number; fee: number }[];
  holdings: number[];
  cash: number;
  value: number;
  reward: number;
  costs: number;
  turbulent: boolean;
}

export interface StepResult {
  observation: Float64Array;
  reward: number;
  done: boolean;
}

/**
 * The state on bar t's close: [cash, closes of the D assets, holdings of the D assets, feature 1
 * of the D assets, ..., feature K of the D assets] (FinRL's layout). Shared by the environment
 * and by anything that replays a policy outside it (shadow replay), so both feed it the same.
 */
export function observationOf(
  market: EnvMarket,
  t: number,
  cash: number,
  holdings: ArrayLike<number>,
  out = new Float64Array(1 + 2 * market.symbols.length + market.features.length * market.symbols.length),
): Float64Array {
  return writeObservation(
    out,
    { assets: market.symbols.length, features: market.features.length },
    cash,
    (i) => market.close[i]![t]!,
    (i) => holdings[i]!,
    (k, i) => market.features[k]![i]![t]!,
  );
}

/**
 * The one place the observation's layout is spelled: [cash, the D closes, the D holdings,
 * feature 1 of the D assets, ..., feature K of the D assets], into `out`. The environment fills
 * it from its market; a policy trading outside it (strategies/ppo_policy.ts) from what it sees
 * at a close.
 */
export function writeObservation(
  out: Float64Array,
  size: { assets: number; features: number },
  cash: number,
  close: (asset: number) => number,
  holding: (asset: number) => number,
  feature: (k: number, asset: number) => number,
): Float64Array {
  const D = size.assets;
  out[0] = cash;
  for (let i = 0; i < D; i++) {
    out[1 + i] = close(i);
    out[1 + D + i] = holding(i);
  }
  for (let k = 0; k < size.features; k++) for (let i = 0; i < D; i++) out[1 + 2 * D + k * D + i] = feature(k, i);
  return out;
}

/**
 * FinRL's StockTradingEnv on the shared cost model. The state on bar t's close is
 * [cash, closes of the D assets, holdings of the D assets, feature 1 of the D assets, ...,
 * feature K of the D assets]. An action in [-1, 1]^D times hmax, truncated to whole shares,
 * is what to sell (negative) or buy (positive) of each asset. Unlike FinRL, which fills at
 * the close it just observed, orders fill on the next bar at the cost model's price (the open
 * by default), as in the backtests: the policy never trades at a price it has already seen
 * move. Sells go first (largest first), then buys (largest first), each buy capped by the
 * cash left after its costs; the participation cap may fill less. The reward is the change in
 * portfolio value from close to close, times reward_scaling. When the turbulence known at the
 * decision is at or above the threshold, nothing is bought and every holding is sold.
 */
export class TradingEnv {
  readonly assets: number;
  readonly observationSize: number;
  private t = 0;
  private cash = 0;
  private readonly holdings: Float64Array;
  private readonly log: StepLog[] | null;

  constructor(
    private readonly market: EnvMarket,
    private readonly config: TradingEnvConfig,
    private readonly costs: CostModel,
    options: { log?: boolean } = {},
  ) {
    if (costs.execution.delay_bars !== 1)
      throw new Error(
        `the trading environment fills on the next bar: costs.execution.delay_bars must be 1, got ${costs.execution.delay_bars}`,
      );
    if (market.dates.length < 2)
      throw new Error(`the trading environment needs at least 2 sessions, got ${market.dates.length}`);
    if (config.turbulence_threshold !== undefined && !market.turbulence)
      throw new Error('a turbulence threshold is set but the market has no turbulence series');
    this.assets = market.symbols.length;
    this.observationSize = 1 + 2 * this.assets + market.features.length * this.assets;
    this.holdings = new Float64Array(this.assets);
    this.log = options.log ? [] : null;
  }

  get stepLog(): readonly StepLog[] {
    return this.log ?? [];
  }

  /** The session whose close the current state is at. */
  get bar(): number {
    return this.t;
  }

  get portfolioValue(): number {
    return this.valueAt(this.t);
  }

  reset(start = 0): Float64Array {
    this.t = start;
    this.cash = this.config.initial_cash;
    this.holdings.fill(0);
    if (this.log) this.log.length = 0;
    return this.observation();
  }

  observation(out = new Float64Array(this.observationSize)): Float64Array {
    return observationOf(this.market, this.t, this.cash, this.holdings, out);
  }

  step(action: ArrayLike<number>): StepResult {
    if (this.t + 1 >= this.market.dates.length) throw new Error('step called after the episode ended: call reset()');
    const D = this.assets;
    const t = this.t;
    const e = t + 1; // the execution bar
    const begin = this.valueAt(t);
    const turbulent =
      this.config.turbulence_threshold !== undefined && this.market.turbulence![t]! >= this.config.turbulence_threshold;
    const traded = new Array<number>(D).fill(0);
    const fills: StepLog['fills'] = [];
    let costs = 0;
    const exec = (i: number) =>
      this.market.tradable && this.market.tradable[i]![e] === 0
        ? Number.NaN
        : this.costs.execution.price === 'open'
          ? this.market.open[i]![e]!
          : this.market.close[i]![e]!;

    // The action's trades (sells, then buys, the largest first) or, when turbulent, every holding sold and nothing bought.
    const trades = turbulent
      ? Array.from(this.holdings, (held, asset) => ({ asset, shares: -held })).filter((x) => x.shares < 0)
      : policyTrades(action, this.config.hmax, this.holdings);
    for (const trade of trades) {
      const i = trade.asset;
      const price = exec(i);
      if (!(price > 0)) continue;
      const volume = this.market.volume[i]![e]!;
      // A buy is capped by the cash left after its costs.
      const n = trade.shares < 0 ? trade.shares : affordableShares(this.costs, trade.shares, price, volume, this.cash);
      if (n === 0 || n < 0 !== trade.shares < 0) continue;
      const fill = simulateFillAt(this.costs, n, price, volume);
      if (fill.shares === 0) continue;
      this.holdings[i]! += fill.shares;
      this.cash -= fill.shares * fill.price + fill.fee;
      costs += fill.fee + fill.slippageCost;
      traded[i] = fill.shares;
      fills.push({ asset: i, shares: fill.shares, price: fill.price, fee: fill.fee });
    }

    this.t = e;
    const end = this.valueAt(e);
    const reward = (end - begin) * this.config.reward_scaling;
    if (this.log) {
      this.log.push({
        date: this.market.dates[t]!,
        executed: this.market.dates[e]!,
        traded,
        fills,
        holdings: [...this.holdings],
        cash: this.cash,
        value: end,
        reward,
        costs,
        turbulent,
      });
    }
    return { observation: this.observation(), reward, done: e + 1 >= this.market.dates.length };
  }

  private valueAt(t: number): number {
    let v = this.cash;
    for (let i = 0; i < this.assets; i++) v += this.holdings[i]! * this.market.close[i]![t]!;
    return v;
  }
}
