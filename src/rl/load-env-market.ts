import { checkTradable, loadMarketData } from '../backtest/load-market-data.js';
import { dayAfter } from '../data/calendar/civil-date.js';
import { carryForward, type MarketData } from '../backtest/market-data.js';
import { loadFeaturePanel } from '../evaluation/load-feature-columns.js';
import { turbulenceIndex } from '../features/turbulence.js';
import type { ExperimentConfig } from './experiment-config.js';
import type { EnvMarket } from './trading-env.js';

/**
 * The experiment's bars and features from the training window's start to the test window's
 * end, or over another range (a shadow replay's window); nothing later is read, as the environment wants them: a price on every session (the
 * last close carried over a symbol's missing day, on which it cannot be bought) and features
 * with 0 where unknown (FinRL's convention). A symbol with no price on the first session is
 * an error naming it. Also returns the bars as loaded, for the baselines.
 */
export async function loadEnvMarket(
  c: ExperimentConfig,
  barsDir: string,
  featuresDir: string,
  range = { start: c.train.start, end: c.test.end },
): Promise<{ market: EnvMarket; bars: MarketData }> {
  const bars = await loadMarketData({
    storeDir: barsDir,
    symbols: c.symbols,
    adjust: c.adjust,
    start: range.start,
    endExclusive: dayAfter(range.end),
  });
  checkTradable(bars, c.costs, c.from);
  const late = bars.symbols.filter((_, s) => Number.isNaN(bars.close[s]![0]!));
  if (late.length > 0)
    throw new Error(
      `${late.join(', ')} in ${c.from} ${late.length === 1 ? 'has' : 'have'} no price on ${bars.dates[0]}, the first training session: leave ${late.length === 1 ? 'it' : 'them'} out of symbols or start training later`,
    );
  const panel = await loadFeaturePanel(featuresDir, bars.symbols, c.features.columns, bars.dates, dayAfter(range.end));
  const close = bars.close.map(carryForward);
  const useOpen = c.costs.execution.price === 'open';
  // A session without a bar (or without the execution price) is one the asset cannot trade in.
  const tradable = bars.close.map((cl, s) =>
    Uint8Array.from(cl, (x, t) => (Number.isNaN(x) || (useOpen && Number.isNaN(bars.open[s]![t]!)) ? 0 : 1)),
  );
  const market: EnvMarket = {
    dates: bars.dates,
    symbols: bars.symbols,
    open: bars.open,
    close,
    volume: bars.volume,
    tradable,
    features: c.features.columns.map((column) =>
      panel.get(column)!.map((xs) => Float64Array.from(xs, (x) => (Number.isFinite(x) ? x : 0))),
    ),
    featureNames: c.features.columns,
    ...(c.turbulence ? { turbulence: turbulenceIndex(close, c.turbulence.lookback) } : {}),
  };
  return { market, bars };
}
