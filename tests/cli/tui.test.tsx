import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { type ActionResult } from '../../src/engine/scheduling/build-events.js';
import type { TargetName } from '../../src/engine/pipeline/label.js';
import { Session } from '../../src/engine/session.js';
import { BuildModel } from '../../src/cli/tui/build-model.js';
import { BuildView, progressBar } from '../../src/cli/tui/BuildView.js';
import { TuiApp, TuiStore } from '../../src/cli/tui/TuiApp.js';
import { FAIL_RULE, smallWorkspace } from '../helpers/fixtures.js';
import type { TestWorkspace } from '../helpers/workspace.js';

const result = (label: string, status: ActionResult['status'], extra: Partial<ActionResult> = {}): ActionResult => ({
  label,
  target: label.slice(2).split('@')[0] as TargetName,
  partition: label.includes('@') ? label.split('@')[1]! : null,
  status,
  ...extra,
});

describe('terminal UI', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  async function modelFor(): Promise<{ model: BuildModel; clock: { t: number } }> {
    ws = smallWorkspace({ 'rules/fail.ts': FAIL_RULE });
    ws.write(
      'quanto.pipeline.yaml',
      ws.read('quanto.pipeline.yaml') + '  bad:\n    rule: fail\n    deps: [//raw/prices]\n',
    );
    ws.write('cache/logs/bad.log', 'INFO step 1\nINFO step 2\nERROR Error: deliberate failure in //bad\n');
    const session = await Session.open(ws.root);
    const clock = { t: 1_000 };
    const model = new BuildModel(session.graph, session.graph.select(['//...']), () => clock.t);
    return { model, clock };
  }

  it('draws the DAG as a tree with a running, a cached and a failed target, progress, totals and the failure log', async () => {
    const { model, clock } = await modelFor();
    model.apply({ type: 'finish', result: result('//raw/prices', 'cached') });
    model.apply({ type: 'finish', result: result('//stats/lines', 'cached') });
    clock.t = 1_500;
    model.apply({ type: 'start', label: '//features/upper' });
    model.apply({ type: 'start', label: '//bad' });
    clock.t = 2_000;
    model.apply({ type: 'progress', report: { label: '//features/upper', done: 3, total: 4, unit: 'files' } });
    model.apply({
      type: 'finish',
      result: result('//bad', 'failed', {
        error: 'deliberate failure in //bad',
        logPath: ws.path('cache/logs/bad.log'),
      }),
    });
    clock.t = 2_250;
    const store = new TuiStore(model, 'quanto build //...', (t) => ({ title: `//${t}`, lines: ['details of ' + t] }));
    const { lastFrame, unmount } = render(<TuiApp store={store} onQuit={() => {}} />);
    const frame = lastFrame()!;
    unmount();
    expect(frame).toContain(
      'quanto build //... · built 0 · cached 2 · failed 1 · remaining 1 · cache hit 100% · 1.3 s',
    );
    // Top-level rows are the requested targets nothing else requested depends on; each target
    // appears once, under the first dependent that reaches it.
    expect(frame.split('\n').slice(1, 6)).toEqual([
      '✗ //bad failed  500 ms',
      '  ✓ //raw/prices cached',
      '· //report/final queued',
      '  ✓ //stats/lines cached',
      '  ▶ //features/upper running  750 ms  [█████████░░░] 3/4 files',
    ]);
    expect(frame).toContain('//bad failed: deliberate failure in //bad');
    expect(frame).toContain('ERROR Error: deliberate failure in //bad');
    expect(frame).toContain(`full log: ${ws.path('cache/logs/bad.log')}`);
  });

  it('folds partitions into one row with counts', async () => {
    const { model } = await modelFor();
    model.apply({ type: 'finish', result: result('//raw/prices@y=2020', 'built', { durationMs: 5 }) });
    model.apply({ type: 'finish', result: result('//raw/prices@y=2021', 'cached') });
    model.apply({ type: 'start', label: '//raw/prices@y=2022' });
    const rows = model.rows();
    const raw = rows.find((r) => r.name === 'raw/prices')!;
    expect(raw).toMatchObject({ status: 'running', actions: 3, partitioned: true });
    const frame = render(
      <BuildView title="t" rows={rows} totals={model.totals()} selected={0} treeHeight={10} panels={[]} footer="f" />,
    ).lastFrame()!;
    expect(frame).toContain('//raw/prices (3 partitions: 1 running, 1 built, 1 cached) running');
  });

  it('moves the selection with j/k and arrows, opens details with enter, and quits with q', async () => {
    const { model } = await modelFor();
    let quits = 0;
    const store = new TuiStore(model, 'quanto build', (t) => ({ title: `//${t}`, lines: [`details of //${t}`] }));
    const { lastFrame, stdin, unmount } = render(<TuiApp store={store} onQuit={() => quits++} />);
    const tick = () => new Promise((r) => setTimeout(r, 30));
    await tick();
    stdin.write('j');
    await tick();
    stdin.write('\u001b[B'); // down arrow
    await tick();
    stdin.write('k');
    await tick();
    expect(model.selectedTarget()).toBe('raw/prices');
    stdin.write('\r');
    await tick();
    expect(lastFrame()).toContain('details of //raw/prices');
    stdin.write('\r');
    await tick();
    expect(lastFrame()).not.toContain('details of //raw/prices');
    stdin.write('q');
    await tick();
    expect(quits).toBe(1);
    unmount();
  });

  it('draws progress bars proportionally', () => {
    expect(progressBar(0, 10, 10)).toBe('[░░░░░░░░░░] 0/10');
    expect(progressBar(10, 10, 10)).toBe('[██████████] 10/10');
    expect(progressBar(7, undefined)).toBe('7');
  });
});
