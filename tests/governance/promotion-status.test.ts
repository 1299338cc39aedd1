import { describe, expect, it } from 'vitest';
import { promotionStatus } from '../../src/governance/promotion-status.js';
import type { QualificationReport } from '../../src/governance/qualify.js';

const report = (passed: boolean): QualificationReport => ({
  candidate: '//experiments/x',
  baseline: '//backtests/b',
  passed,
  hard: [{ name: 'max_drawdown', metric: 'max_drawdown', op: '>=', threshold: -0.2, measured: passed ? -0.1 : -0.3, pass: passed, reason: passed ? '-0.1 >= -0.2' : '-0.3 not >= -0.2' }],
  soft: [],
  trials: { family: 'x', count: 1, sharpe_variance: 0, expected_max_sharpe: 0, targets: ['//experiments/x'] },
  artifacts: [],
} as unknown as QualificationReport);

const record = (digest: string, at: string, extra: Record<string, unknown> = {}) => ({
  file: `promotions/candidate/x/${at}-${digest}.json`,
  bytes: Buffer.from(JSON.stringify({ format: 'quanto-promotion/1', tier: 'candidate', experiment: '//experiments/x', experiment_outputs_digest: digest, reason: 'r', promoted_by: 'p', promoted_at: at, ...extra })),
});

describe('promotion status', () => {
  it('the newest record of the current outputs promotes; records of other outputs are stale', () => {
    const s = promotionStatus({ experiment: '//experiments/x', outputsDigest: 'new', tier: 'candidate', report: report(true), records: [record('new', '2026-02'), record('old', '2026-01'), record('new', '2026-01')] });
    expect(s.state).toBe('promoted');
    expect(s.record!.file).toBe('promotions/candidate/x/2026-02-new.json');
    expect(s.stale_records).toEqual([{ file: 'promotions/candidate/x/2026-01-old.json', experiment_outputs_digest: 'old' }]);
  });

  it('without a record: qualified and awaiting a person, or not qualified with the failed gates', () => {
    expect(promotionStatus({ experiment: '//experiments/x', outputsDigest: 'd', tier: 'candidate', report: report(true), records: [] }).state).toBe('qualified_not_promoted');
    const s = promotionStatus({ experiment: '//experiments/x', outputsDigest: 'd', tier: 'candidate', report: report(false), records: [record('old', '2026-01')] });
    expect(s).toMatchObject({ state: 'not_qualified', qualified: false, failed_hard_gates: [{ name: 'max_drawdown', reason: '-0.3 not >= -0.2' }], record: null });
    expect(s.next_step).toMatch(/not qualified \(max_drawdown\)/);
  });

  it('a report about another experiment does not qualify this one; records of another tier or experiment are ignored', () => {
    const other = { ...report(true), candidate: '//experiments/y' };
    expect(promotionStatus({ experiment: '//experiments/x', outputsDigest: 'd', tier: 'candidate', report: other, records: [] }).qualified).toBe(false);
    const s = promotionStatus({ experiment: '//experiments/x', outputsDigest: 'd', tier: 'candidate', report: report(true), records: [record('d', '2026-01', { tier: 'production' }), record('d', '2026-02', { experiment: '//experiments/y' })] });
    expect(s).toMatchObject({ state: 'qualified_not_promoted', stale_records: [] });
  });

  it('a malformed record is an error naming the file and the field', () => {
    const bad = { file: 'promotions/candidate/x/bad.json', bytes: Buffer.from('{"format":"quanto-promotion/1","tier":"candidate"}') };
    expect(() => promotionStatus({ experiment: '//experiments/x', outputsDigest: 'd', tier: 'candidate', report: report(true), records: [bad] })).toThrow(/promotions\/candidate\/x\/bad\.json: not a promotion record \(experiment: /);
    const torn = { file: 'promotions/candidate/x/torn.json', bytes: Buffer.from('{"format":') };
    expect(() => promotionStatus({ experiment: '//experiments/x', outputsDigest: 'd', tier: 'candidate', report: report(true), records: [torn] })).toThrow(/torn\.json: not valid JSON/);
  });
});
