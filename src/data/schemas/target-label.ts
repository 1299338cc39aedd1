import { z } from 'zod';

/**
 * A config's reference to an upstream target, `//canonical/equity_ohlcv`: what `from:` holds
 * everywhere (see the config vocabulary in the README). The pipeline's deps must list it.
 */
export const targetLabelSchema = z
  .string()
  .startsWith('//', { message: 'a target label starts with //, e.g. //canonical/equity_ohlcv' })
  .describe("an upstream target, //<name>; the target's deps in quanto.pipeline.yaml must list it");
