import type { EnvMarket } from './trading-env.js';

/** Sessions [from, to) of a market. */
export function sliceMarket(m: EnvMarket, from: number, to: number): EnvMarket {
  return {
    dates: m.dates.slice(from, to),
    symbols: m.symbols,
    open: m.open.map((x) => x.slice(from, to)),
    close: m.close.map((x) => x.slice(from, to)),
    volume: m.volume.map((x) => x.slice(from, to)),
    features: m.features.map((f) => f.map((x) => x.slice(from, to))),
    featureNames: m.featureNames,
    ...(m.tradable ? { tradable: m.tradable.map((x) => x.slice(from, to)) } : {}),
    ...(m.turbulence ? { turbulence: m.turbulence.slice(from, to) } : {}),
  };
}
