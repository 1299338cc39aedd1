import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHoldoutLedger } from '../../src/engine/research-integrity/holdout-ledger.js';
import { experiment, gates, governanceWorkspace } from '../helpers/governance-workspace.js';
import type { TestWorkspace } from '../helpers/workspace.js';

describe('qualification and promotion', () => {
  let ws: TestWorkspace;
  const report = () => JSON.parse(ws.read('cache/out/qualification/tiny/promotion/qualification_report.json'));
  const status = async () => {
    const r = await ws.build('--jobs', '0', '//promotions/candidate/tiny');
    expect(r.status['//promotions/candidate/tiny']).not.toBe('failed');
    return JSON.parse(ws.read('cache/out/promotions/candidate/tiny/promotion/status.json'));
  };
  const records = (tier: string) =>
    existsSync(ws.path('promotions', tier, 'tiny')) ? readdirSync(ws.path('promotions', tier, 'tiny')).sort() : [];
  beforeAll(async () => {
    process.env.QUANTO_USER = 'test-researcher';
    ws = governanceWorkspace();
    const r = await ws.build('--jobs', '0', '//promotions/candidate/tiny');
    if (r.code !== 0) throw new Error(JSON.stringify(r.targets.filter((t) => t.status === 'failed')));
  }, 120_000);
  afterAll(() => {
    delete process.env.QUANTO_USER;
    ws?.dispose();
  });

  it('writes a report: every gate with threshold, measurement and verdict, the trials, the digest of every artifact read', () => {
    const r = report();
    expect(r.passed).toBe(true);
    expect(r.hard.map((g: { name: string; pass: boolean }) => [g.name, g.pass])).toEqual([
      ['max_drawdown', true],
      ['high_vol_max_drawdown', true],
      ['max_gross_exposure', true],
      ['deflated_sharpe', true],
    ]);
    expect(r.soft[0]).toMatchObject({ name: 'sharpe_vs_baseline', weight: 0.5 });
    expect(typeof r.soft[0].measured).toBe('number');
    expect(r.trials).toMatchObject({ family: 'tiny', count: 1, targets: ['//experiments/tiny'] });
    for (const a of r.artifacts) {
      const dir = a.target === '//experiments/tiny' ? 'experiments/tiny' : 'backtests/base';
      expect(
        createHash('sha256')
          .update(readFileSync(ws.path('cache', 'out', dir, a.file)))
          .digest('hex'),
      ).toBe(a.sha256);
    }
    expect(r.artifacts.map((a: { file: string }) => a.file)).toEqual([
      'evaluation/metrics.json',
      'evaluation/regime_slices.json',
      'evaluation/equity.parquet',
      'metrics.json',
      'evaluation/regime_slices.json',
      'equity.parquet',
    ]);
  });

  it('the promotion target says where the experiment stands: qualified and awaiting a person', async () => {
    const s = await status();
    expect(s).toMatchObject({
      experiment: '//experiments/tiny',
      tier: 'candidate',
      state: 'qualified_not_promoted',
      qualified: true,
      failed_hard_gates: [],
      record: null,
      stale_records: [],
    });
    expect(s.next_step).toMatch(/quanto promote \/\/experiments\/tiny --tier candidate/);
  });

  it('production is refused without a shadow replay target, and without a prior candidate record', async () => {
    const pipeline = ws.read('quanto.pipeline.yaml');
    ws.write('quanto.pipeline.yaml', pipeline.slice(0, pipeline.indexOf('  shadow/tiny:')));
    const none = await ws.cli('promote', '//experiments/tiny', '--tier', 'production', '--reason', 'ship it');
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/production requires a shadow replay, and there is no \/\/shadow\/tiny/);
    ws.write('quanto.pipeline.yaml', pipeline);
    const r = await ws.cli('promote', '//experiments/tiny', '--tier', 'production', '--reason', 'ship it');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/production requires a prior candidate record/);
    expect(records('production')).toEqual([]);
    // Nor does a shadow replay run before there is a promotion to replay.
    const shadow = await ws.build('--jobs', '0', '//shadow/tiny');
    expect(shadow.status['//shadow/tiny']).toBe('failed');
    expect(shadow.targets.find((t) => t.label === '//shadow/tiny')!.error).toMatch(
      /refused: \/\/experiments\/tiny is not promoted \(\/\/promotions\/candidate\/tiny: qualified not promoted\); qualified: a person promotes it/,
    );
  }, 120_000);

  it('promotes to candidate with the qualification digest and the provenance chain down to the raw sources; then production', async () => {
    const r = await ws.cli(
      'promote',
      '//experiments/tiny',
      '--tier',
      'candidate',
      '--reason',
      'passes its gates on 1996',
    );
    expect(r.code, r.err).toBe(0);
    const [file] = records('candidate');
    const record = JSON.parse(ws.read(`promotions/candidate/tiny/${file}`));
    expect(record).toMatchObject({
      tier: 'candidate',
      experiment: '//experiments/tiny',
      reason: 'passes its gates on 1996',
      promoted_by: 'test-researcher',
      qualification: { label: '//qualification/tiny', passed: true },
    });
    expect(record.qualification.report_digest).toBe(
      createHash('sha256')
        .update(readFileSync(ws.path('cache/out/qualification/tiny/promotion/qualification_report.json')))
        .digest('hex'),
    );
    expect(record.provenance.map((l: { label: string }) => l.label)).toEqual([
      '//canonical/dow30',
      '//experiments/tiny',
      '//features/dow30',
      '//features/regime',
      '//raw/dow30',
    ]);
    const raw = record.provenance.find((l: { label: string }) => l.label === '//raw/dow30');
    expect(Object.keys(raw.srcs)).toEqual(['data/sample/dow30_daily_close_1991_2000.csv']);
    const promoted = await status(); // the record is a src of the promotion target: promoting rebuilds it
    expect(promoted).toMatchObject({
      state: 'promoted',
      record: {
        file: `promotions/candidate/tiny/${file}`,
        reason: 'passes its gates on 1996',
        promoted_by: 'test-researcher',
      },
    });
    expect(promoted.record.sha256).toBe(
      createHash('sha256')
        .update(readFileSync(ws.path('promotions/candidate/tiny', file!)))
        .digest('hex'),
    );
    const prod = await ws.cli(
      'promote',
      '//experiments/tiny',
      '--tier',
      'production',
      '--reason',
      'shadow replay clean',
    );
    expect(prod.code, prod.err).toBe(0);
    const production = JSON.parse(ws.read(`promotions/production/tiny/${records('production')[0]}`));
    expect(production.shadow.label).toBe('//shadow/tiny');
  }, 120_000);

  it('the shadow replay goes through intents, risk decisions, orders and simulated fills into a ledger, and replays to the same bytes', async () => {
    const dir = 'cache/out/shadow/tiny';
    const lines = (f: string) =>
      ws
        .read(`${dir}/shadow/${f}`)
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    const intents = lines('intents.jsonl');
    const decisions = lines('risk_decisions.jsonl');
    const orders = lines('orders.jsonl');
    const fills = lines('fills.jsonl');
    const ledger = lines('ledger.jsonl');
    expect(intents.length).toBeGreaterThan(0);
    expect(decisions.map((d: { intent_id: string }) => d.intent_id)).toEqual(intents.map((i: { id: string }) => i.id));
    expect(orders).toHaveLength(decisions.filter((d: { action: string }) => d.action !== 'reject').length);
    expect(new Set(orders.map((o: { client_order_id: string }) => o.client_order_id)).size).toBe(orders.length);
    const decidedAt = new Map(
      orders.map((o: { client_order_id: string; decided_at: string }) => [o.client_order_id, o.decided_at]),
    );
    expect(fills.length).toBeGreaterThan(0);
    for (const f of fills) expect(f.date > decidedAt.get(f.client_order_id)!).toBe(true); // fills on the bar after the decision
    expect(ledger).toHaveLength(fills.length);
    const session = JSON.parse(ws.read(`${dir}/shadow/session.json`));
    expect(session.reconciliation).toEqual({ start: [], end: [] }); // the ledger agrees with the exchange
    expect(session.broker.end.cash).toBeCloseTo(ledger.at(-1).cash_after, 6);
    const metrics = JSON.parse(ws.read(`${dir}/metrics_sim.json`));
    expect(metrics.window.start).toBe('1996-01-02');
    expect(metrics.metrics.fills).toBe(ledger.length);
    const verified = await ws.cli('verify', '--jobs', '0', '//shadow/tiny');
    expect(verified.code, verified.out + verified.err).toBe(0);
  }, 120_000);

  it('garbage collection keeps a promoted experiment after its config moves on', async () => {
    const promoted = JSON.parse(ws.read(`promotions/candidate/tiny/${records('candidate')[0]}`));
    ws.write('experiment.yaml', experiment(3));
    expect((await ws.build('--jobs', '0', '//experiments/tiny')).code).toBe(0);
    const gc = await ws.cli('gc');
    expect(gc.code, gc.err).toBe(0);
    const manifest = join(
      ws.path('cache', 'ac'),
      promoted.experiment_key.slice(0, 2),
      `${promoted.experiment_key}.json`,
    );
    expect(existsSync(manifest)).toBe(true);
    const outputs = JSON.parse(readFileSync(manifest, 'utf8')).outputs as Record<string, { digest: string }>;
    const weights = outputs['model/weights.bin']!.digest;
    expect(existsSync(join(ws.path('cache', 'cas'), weights.slice(0, 2), weights))).toBe(true);
    const moved = await status(); // the record covers the old outputs only
    expect(moved).toMatchObject({
      state: 'qualified_not_promoted',
      record: null,
      stale_records: [
        {
          file: `promotions/candidate/tiny/${records('candidate')[0]}`,
          experiment_outputs_digest: promoted.experiment_outputs_digest,
        },
      ],
    });
    ws.write('experiment.yaml', experiment(1));
  }, 120_000);

  it('another trial of the family raises the bar: the ledger counts it and the deflated Sharpe ratio falls', async () => {
    const before = report();
    expect((await ws.build('--jobs', '0', '//experiments/tiny_b')).code).toBe(0);
    expect((await ws.build('--jobs', '0', '//qualification/tiny')).status['//qualification/tiny']).toBe('built'); // the ledger is a source
    const after = report();
    expect(readHoldoutLedger(ws.path('ledger', 'holdout.jsonl')).map((e) => e.target)).toEqual(
      expect.arrayContaining(['//experiments/tiny', '//experiments/tiny_b']),
    );
    expect(after.trials.count).toBeGreaterThan(before.trials.count);
    const dsr = (r: { hard: { name: string; measured: number }[] }) =>
      r.hard.find((g) => g.name === 'deflated_sharpe')!.measured;
    expect(dsr(after)).toBeLessThan(dsr(before));
    // The second variant is not a dep of the qualification: counted, and the log says how to order it.
    expect(ws.read('cache/logs/qualification/tiny.log')).toMatch(
      /^WARN trials of tiny from \/\/experiments\/tiny_b, not among this target's deps: .*add them to deps/m,
    );
  }, 120_000);

  it('a failed hard gate refuses promotion and lists the failures', async () => {
    ws.write('gates.yaml', gates(0.5)); // a drawdown floor above zero: nothing passes it
    const r = await ws.cli('promote', '//experiments/tiny', '--tier', 'candidate', '--reason', 'try anyway');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/did not pass qualification; failed hard gates:\n {2}max_drawdown: -?[0-9.e-]+ not >= 0.5/);
    expect(records('candidate')).toHaveLength(1);
    // The earlier record was taken on a qualification that passed: with the gates failing now it covers nothing.
    const refused = await status();
    expect(refused).toMatchObject({
      state: 'not_qualified',
      record: null,
      qualified: false,
      failed_hard_gates: [{ name: 'max_drawdown' }],
    });
    expect(refused.stale_records[0].why).toMatch(/the qualification built now does not pass/);
    ws.write('gates.yaml', gates(-0.9));
  }, 120_000);

  it('a hand-written record unlocks nothing: one field alone is an error naming the file; a well-formed forgery is stale', async () => {
    expect((await ws.cli('promote', '//experiments/tiny', '--tier', 'candidate', '--reason', 'again')).code).toBe(0);
    const real = JSON.parse(ws.read(`promotions/candidate/tiny/${records('candidate').at(-1)}`));
    expect((await status()).state).toBe('promoted');
    for (const f of records('candidate')) (await import('node:fs')).rmSync(ws.path('promotions/candidate/tiny', f));
    // A file with the right outputs digest alone.
    ws.write(
      'promotions/candidate/tiny/9999-forged.json',
      JSON.stringify({ experiment_outputs_digest: real.experiment_outputs_digest }),
    );
    let r = await ws.build('--jobs', '0', '//promotions/candidate/tiny');
    expect(r.code).toBe(1);
    expect(r.targets.find((t) => t.label === '//promotions/candidate/tiny')!.error).toMatch(
      /promotions\/candidate\/tiny\/9999-forged\.json: not a promotion record \(format: .*restore it from version control or delete it/,
    );
    // Malformed JSON: a clear error naming the file, not a stack trace.
    ws.write('promotions/candidate/tiny/9999-forged.json', '{"format": "quanto-promotion/1",');
    r = await ws.build('--jobs', '0', '//promotions/candidate/tiny');
    expect(r.targets.find((t) => t.label === '//promotions/candidate/tiny')!.error).toMatch(
      /9999-forged\.json: not valid JSON/,
    );
    // Every field right but the qualification it cites: not the report built now.
    ws.write(
      'promotions/candidate/tiny/9999-forged.json',
      JSON.stringify({ ...real, qualification: { ...real.qualification, report_digest: 'f'.repeat(64) } }),
    );
    const forged = await status();
    expect(forged).toMatchObject({ state: 'qualified_not_promoted', record: null });
    expect(forged.stale_records[0].why).toMatch(/cites qualification report ffffffffffff, but the report built now/);
    // And so the shadow replay refuses.
    const shadow = await ws.build('--jobs', '0', '//shadow/tiny');
    expect(shadow.code).toBe(1);
    expect(shadow.targets.find((t) => t.label === '//shadow/tiny')!.error).toMatch(
      /refused: \/\/experiments\/tiny is not promoted/,
    );
    (await import('node:fs')).rmSync(ws.path('promotions/candidate/tiny/9999-forged.json'));
  }, 120_000);

  it('usage errors exit 2', async () => {
    expect((await ws.cli('promote', '//experiments/tiny', '--tier', 'gold', '--reason', 'x')).code).toBe(2);
    expect((await ws.cli('promote', '//experiments/nope', '--tier', 'candidate', '--reason', 'x')).code).toBe(2);
  });
});
