import { describe, expect, it } from 'vitest';
import { LIVE_TRADING_ENV, liveTradingRefusals } from '../../src/execution/live-guard.js';

describe('live trading guard', () => {
  const open = {
    liveFlag: true,
    env: { [LIVE_TRADING_ENV.name]: 'yes' },
    productionRecord: true,
    confirmation: 'LIVE //experiments/x',
    expectedConfirmation: 'LIVE //experiments/x',
  };

  it('refuses unless the flag, the environment variable, a production record and the typed confirmation are all there', () => {
    expect(liveTradingRefusals(open)).toEqual([]);
    expect(liveTradingRefusals({ ...open, liveFlag: false })).toEqual(['the explicit live flag is not set']);
    expect(liveTradingRefusals({ ...open, env: { [LIVE_TRADING_ENV.name]: '1' } })).toEqual([
      "QUANTO_ALLOW_LIVE_TRADING is not set to 'yes'",
    ]);
    expect(liveTradingRefusals({ ...open, productionRecord: false })).toEqual([
      'there is no production-tier promotion record of this policy',
    ]);
    expect(liveTradingRefusals({ ...open, confirmation: 'LIVE //experiments/y' })).toEqual([
      "the confirmation was not typed as 'LIVE //experiments/x'",
    ]);
    expect(
      liveTradingRefusals({
        liveFlag: false,
        env: {},
        productionRecord: false,
        confirmation: undefined,
        expectedConfirmation: 'LIVE //experiments/x',
      }),
    ).toHaveLength(4);
  });
});
