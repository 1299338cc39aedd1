import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { promotionStatus } from '../../src/governance/promotion-status.js';
import type { QualificationReport } from '../../src/governance/qualify.js';

const report = (passed: boolean): QualificationReport =>
  ({
    candidate: '//experiments/x',
    baseline: '//backtests/b',
    passed,
    hard: [
      {
        name: 'max_drawdown',
        metric: 'max_drawdown',
        op: '>=',
        threshold: -0.2,
        measured: passed ? -0.1 : -0.3,
        pass: passed,
        reason: passed ? '-0.1 >= -0.2' : '-0.3 not >= -0.2',
      },
    ],
    soft: [],
    trials: { family: 'x', count: 1, sharpe_variance: 0, expected_max_sharpe: 0, targets: ['//experiments/x'] },
    artifacts: [],
  }) as unknown as QualificationReport;

/** A 64-hex digest named by a word, so the tests read. */
const H = (word: string): string => createHash('sha256').update(word).digest('hex');
const REPORT = H('the report built now');

const record = (digest: string, at: string, extra: Record<string, unknown> = {}) => ({
  file: `promotions/candidate/x/${at}-${digest}.json`,
  bytes: Buffer.from(
    JSON.stringify({
      format: 'quanto-promotion/1',
      tier: 'candidate',
      experiment: '//experiments/x',
      experiment_key: H('key'),
      experiment_outputs_digest: H(digest),
      reason: 'r',
      promoted_by: 'p',
      promoted_at: `${at}-01T00:00:00.000Z`,
      qualification: { label: '//qualification/x', key: H('qkey'), report_digest: REPORT, passed: true, trials: 1 },
      provenance: [],
      ...extra,
    }),
  ),
});

const status = (o: {
  outputsDigest: string;
  report: QualificationReport;
  records: ReturnType<typeof record>[];
  reportDigest?: string;
}) =>
  promotionStatus({
    experiment: '//experiments/x',
    tier: 'candidate',
    reportDigest: REPORT,
    ...o,
    outputsDigest: H(o.outputsDigest),
  });

describe('promotion status', () => {
  it('the newest record of the current outputs promotes; records of other outputs are stale', () => {
    const s = status({
      outputsDigest: 'new',
      report: report(true),
      records: [record('new', '2026-02'), record('old', '2026-01'), record('new', '2026-01')],
    });
    expect(s.state).toBe('promoted');
    expect(s.record!.file).toBe('promotions/candidate/x/2026-02-new.json');
    expect(s.stale_records).toEqual([
      {
        file: 'promotions/candidate/x/2026-01-old.json',
        experiment_outputs_digest: H('old'),
        why: expect.stringMatching(/^it promotes other outputs/),
      },
    ]);
  });

  it('without a record: qualified and awaiting a person, or not qualified with the failed gates', () => {
    expect(status({ outputsDigest: 'd', report: report(true), records: [] }).state).toBe('qualified_not_promoted');
    const s = status({ outputsDigest: 'd', report: report(false), records: [record('old', '2026-01')] });
    expect(s).toMatchObject({
      state: 'not_qualified',
      qualified: false,
      failed_hard_gates: [{ name: 'max_drawdown', reason: '-0.3 not >= -0.2' }],
      record: null,
    });
    expect(s.next_step).toMatch(/not qualified \(max_drawdown\)/);
  });

  it('a report about another experiment does not qualify this one; records of another tier or experiment are ignored', () => {
    const other = { ...report(true), candidate: '//experiments/y' };
    expect(status({ outputsDigest: 'd', report: other, records: [] }).qualified).toBe(false);
    const s = status({
      outputsDigest: 'd',
      report: report(true),
      records: [
        record('d', '2026-01', {
          tier: 'production',
          shadow: { label: '//shadow/x', key: H('s'), outputs_digest: H('so') },
        }),
        record('d', '2026-02', { experiment: '//experiments/y' }),
      ],
    });
    expect(s).toMatchObject({ state: 'qualified_not_promoted', stale_records: [] });
  });

  it('a malformed record is an error naming the file and the field', () => {
    const bad = {
      file: 'promotions/candidate/x/bad.json',
      bytes: Buffer.from('{"format":"quanto-promotion/1","tier":"candidate"}'),
    };
    expect(() => status({ outputsDigest: 'd', report: report(true), records: [bad] })).toThrow(
      /promotions\/candidate\/x\/bad\.json: not a promotion record \(experiment: /,
    );
    const torn = { file: 'promotions/candidate/x/torn.json', bytes: Buffer.from('{"format":') };
    expect(() => status({ outputsDigest: 'd', report: report(true), records: [torn] })).toThrow(
      /torn\.json: not valid JSON/,
    );
  });

  it('a hand-written record is not taken on its word: one field alone, a field added, or the right digest without the qualification it cites', () => {
    const oneField = {
      file: 'promotions/candidate/x/forged.json',
      bytes: Buffer.from(JSON.stringify({ experiment_outputs_digest: H('d') })),
    };
    expect(() => status({ outputsDigest: 'd', report: report(true), records: [oneField] })).toThrow(
      /forged\.json: not a promotion record \(format: /,
    );
    const added = record('d', '2026-03', { approved_by_risk: true });
    expect(() => status({ outputsDigest: 'd', report: report(true), records: [added] })).toThrow(
      /not a promotion record \(\(root\): .*approved_by_risk/,
    );
    // Well-formed, the right outputs, but the qualification it cites is not the one built now.
    const forged = record('d', '2026-04', {
      qualification: {
        label: '//qualification/x',
        key: H('qkey'),
        report_digest: H('some other report'),
        passed: true,
        trials: 1,
      },
    });
    const s = status({ outputsDigest: 'd', report: report(true), records: [forged] });
    expect(s.state).toBe('qualified_not_promoted');
    expect(s.stale_records[0]!.why).toMatch(
      /cites qualification report .* but the report built now for these outputs is/,
    );
    // A real record whose qualification no longer passes (the gates now fail) promotes nothing.
    expect(status({ outputsDigest: 'd', report: report(false), records: [record('d', '2026-05')] }).state).toBe(
      'not_qualified',
    );
  });
});
