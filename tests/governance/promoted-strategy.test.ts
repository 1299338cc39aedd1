import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import { backtestedStrategy } from '../../src/backtest/backtested-strategy.js';
import { costModelSchema } from '../../src/costs/cost-model.js';
import type { InputArtifact, RuleContext } from '../../src/engine/rule-api.js';
import type { PromotionStatus } from '../../src/governance/promotion-status.js';
import { defineStrategy } from '../../src/strategy/define-strategy.js';
import { checkSessionSubject, promotedStrategyOf, sessionSubjectShape } from '../../rules/_strategies.js';

/**
 * The checks a session of a promoted strategy makes before it trades (rules/_strategies.ts),
 * each refusal on its own: not promoted, other outputs, other settings, other code, other bars.
 */
const root = mkdtempSync(join(tmpdir(), 'quanto-promoted-strategy-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const DIGEST = 'a'.repeat(64);
const steady = defineStrategy({
  name: 'steady',
  version: 1,
  config: z.object({ exposure: z.number() }).strict(),
  weights: (panel, c) => panel.close.map((close) => close.map(() => c.exposure)),
});

function artifact(label: string, dir: string, outputsDigest: string, files: Record<string, string>): InputArtifact {
  return { label, files, outputsDigest, dir: () => dir };
}

/** A rule context whose backtest recorded `recorded` and whose promotion_status says `state` of `outputs`. */
function context(o: {
  state?: PromotionStatus['state'];
  judged?: string;
  recordedSettings?: Record<string, unknown>;
  recordedDigest?: string;
  recordedBars?: string;
}): RuleContext<unknown> {
  const dir = mkdtempSync(join(root, 'ctx-'));
  mkdirSync(join(dir, 'promotion', 'promotion'), { recursive: true });
  const status: PromotionStatus = {
    experiment: '//backtests/steady',
    experiment_outputs_digest: o.judged ?? 'outputs-1',
    tier: 'candidate',
    state: o.state ?? 'promoted',
    qualified: true,
    failed_hard_gates: [],
    record:
      (o.state ?? 'promoted') === 'promoted'
        ? {
            file: 'promotions/candidate/steady/x.json',
            sha256: DIGEST,
            reason: 'r',
            promoted_by: 'p',
            promoted_at: 't',
          }
        : null,
    stale_records: [],
    next_step: 'qualified: a person promotes it with quanto promote //backtests/steady --tier candidate',
  };
  writeFileSync(join(dir, 'promotion', 'promotion', 'status.json'), JSON.stringify(status));
  const strategyFile = join(dir, 'strategy.json');
  writeFileSync(
    strategyFile,
    JSON.stringify(
      backtestedStrategy({
        strategy: { kind: 'steady', ...(o.recordedSettings ?? { exposure: 0.5 }) },
        file: 'strategies/steady.ts',
        version: 1,
        vectorized: true,
        sourceDigest: o.recordedDigest ?? DIGEST,
        from: o.recordedBars ?? '//canonical/bars',
        symbols: ['AAA'],
        adjust: 'total',
        costs: costModelSchema.parse({}),
        initialCash: 1000,
        sizing: undefined,
      }),
    ),
  );
  return {
    label: '//shadow/steady',
    config: {},
    seed: 1,
    partition: null,
    matrix: null,
    inputs: {
      '//backtests/steady': artifact('//backtests/steady', dir, 'outputs-1', { 'strategy.json': strategyFile }),
      '//promotions/candidate/steady': artifact('//promotions/candidate/steady', join(dir, 'promotion'), 'p', {}),
      '//canonical/bars': artifact('//canonical/bars', dir, 'b', {}),
    },
    srcs: {},
    outDir: dir,
    log: { info: () => {}, warn: () => {}, error: () => {} },
    progress: () => {},
    plugins: { 'strategies/steady': steady },
    pluginDigests: { 'strategies/steady': DIGEST },
    parallelism: 1,
  };
}

const from = { backtest: '//backtests/steady', promotion: '//promotions/candidate/steady', bars: '//canonical/bars' };
const ref = { kind: 'steady', exposure: 0.5 };

describe('a session of a promoted strategy', () => {
  it('trades the strategy the backtest recorded when everything agrees', async () => {
    const { record, strategy, status } = await promotedStrategyOf(context({}), from, ref);
    expect(record.strategy).toEqual(ref);
    expect(strategy.config).toEqual({ exposure: 0.5 });
    expect(status.record!.file).toBe('promotions/candidate/steady/x.json');
  });

  it('refuses before a promotion, saying the next step', async () => {
    await expect(promotedStrategyOf(context({ state: 'qualified_not_promoted' }), from, ref)).rejects.toThrow(
      /refused: \/\/backtests\/steady is not promoted \(\/\/promotions\/candidate\/steady: qualified not promoted\); qualified: a person promotes it/,
    );
  });

  it('refuses a promotion of other outputs than the backtest it reads', async () => {
    await expect(promotedStrategyOf(context({ judged: 'outputs-0' }), from, ref)).rejects.toThrow(
      /judged other outputs of \/\/backtests\/steady than this session reads/,
    );
  });

  it('refuses other settings, other code and other bars than those backtested', async () => {
    await expect(promotedStrategyOf(context({ recordedSettings: { exposure: 0.9 } }), from, ref)).rejects.toThrow(
      /refused: this session's strategy \{"exposure":0.5,"kind":"steady"\} is not the one \/\/backtests\/steady backtested and was promoted with \(\{"exposure":0.9,"kind":"steady"\}\)/,
    );
    await expect(promotedStrategyOf(context({ recordedDigest: 'b'.repeat(64) }), from, ref)).rejects.toThrow(
      /refused: the code of strategies\/steady.ts is not the code \/\/backtests\/steady was promoted with \(sources aaaaaaaaaaaa, promoted bbbbbbbbbbbb\)/,
    );
    await expect(promotedStrategyOf(context({ recordedBars: '//canonical/other' }), from, ref)).rejects.toThrow(
      /traded the bars of \/\/canonical\/other, not \/\/canonical\/bars: set from.bars to \/\/canonical\/other/,
    );
  });
});

describe("a session config's subject", () => {
  const schema = z
    .object(sessionSubjectShape)
    .strict()
    .superRefine((c, ctx) => checkSessionSubject(c, ctx));
  const problems = (config: unknown) => {
    const r = schema.safeParse(config);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('is a policy (experiment) or a strategy (backtest, bars and strategy), never both or neither', () => {
    expect(problems({ from: { experiment: '//experiments/x', promotion: '//promotions/candidate/x' } })).toEqual([]);
    expect(problems({ from: { ...from }, strategy: ref })).toEqual([]);
    expect(
      problems({ from: { experiment: '//experiments/x', backtest: '//backtests/x', promotion: '//p/x' } }),
    ).toEqual(['from: name exactly one of experiment (a policy) or backtest (a strategy)']);
    expect(problems({ from: { backtest: '//backtests/x', promotion: '//p/x' } })).toEqual([
      'from.bars: a strategy session needs the canonical bars it trades',
      "strategy: a strategy session names its strategy (the backtest's: share the block with extends:)",
    ]);
    expect(
      problems({ from: { experiment: '//experiments/x', bars: '//canonical/b', promotion: '//p/x' }, strategy: ref }),
    ).toEqual([
      "from.bars: a policy's session reads its experiment's bars",
      "strategy: strategy: is for from.backtest; a policy's session has none",
    ]);
  });
});
