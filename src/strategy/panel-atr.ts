import { atr } from '../features/indicators.js';
import type { BarPanel } from './bar-panel.js';

/**
 * A symbol's average true range over `window` bars (Wilder's, as TTR's ATR), from its highs and
 * lows where the bars have them, else from its closes alone (the true range is then the
 * close-to-close move). Each value reads bars at or before its own.
 */
export function panelAtr(panel: Pick<BarPanel, 'close' | 'high' | 'low'>, s: number, window: number): number[] {
  const close = [...panel.close[s]!];
  return atr(panel.high ? [...panel.high[s]!] : close, panel.low ? [...panel.low[s]!] : close, close, window);
}
