import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isoDateSchema } from '../../src/data/schemas/iso-date.js';
import { REPO_ROOT, TestWorkspace } from '../helpers/workspace.js';

describe('dates in configs', () => {
  it('are real calendar dates, not only the shape YYYY-MM-DD', () => {
    for (const ok of ['2019-01-31', '2020-02-29', '2000-02-29']) expect(isoDateSchema.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['2019-13-45', '2019-02-29', '1900-02-29', '2019-04-31', '2019-00-10', '2019-1-01', '20190101']) expect(isoDateSchema.safeParse(bad).success, bad).toBe(false);
  });

  it("'2019-13-45' in a target's config fails before anything runs, naming file:line, exit 2", async () => {
    const ws = new TestWorkspace({
      'quanto.pipeline.yaml': 'targets:\n  raw/equity_ohlcv:\n    rule: ingest_embedded\n    config: configs/embedded.yaml\n    srcs: [data/sample/spx_daily_ohlcv_2000_2020.csv]\n',
      'configs/embedded.yaml': 'datasets: [spx_daily]\n# the reserve starts here\nstart: "2019-13-45"\n',
      'data/sample/spx_daily_ohlcv_2000_2020.csv': 'symbol,date,open,high,low,close,volume\n',
    });
    symlinkSync(join(REPO_ROOT, 'rules'), join(ws.root, 'rules'));
    symlinkSync(join(REPO_ROOT, 'src'), join(ws.root, 'src'));
    try {
      const r = await ws.cli('build', '--no-tui');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/configs\/embedded\.yaml:3:8: target 'raw\/equity_ohlcv': key 'start': not a calendar date/);
    } finally {
      ws.dispose();
    }
  });
});
